import type { Static } from '@sinclair/typebox';
import type { SerialProbe } from '../../core/api/areas/commission';
import type { SerialProbeResult } from '../serial/probe';

const improvStates: Record<number, string> = {
  0: 'stopped',
  1: 'awaiting authorization',
  2: 'ready',
  3: 'provisioning',
  4: 'provisioned',
};

/** Plain JSON for a probe result, with one line a person can read (the wizard and the Devices drawer show it). */
export const probeView = (probe: SerialProbeResult): Static<typeof SerialProbe> => {
  if (probe.kind === 'improv')
    return {
      kind: 'improv',
      path: probe.path,
      summary: `Improv device${probe.info ? `: ${probe.info.firmware} ${probe.info.version} on ${probe.info.chip}` : ''} (${improvStates[probe.state] ?? probe.state})`,
      ...(probe.info
        ? {
            firmware: probe.info.firmware,
            version: probe.info.version,
            chip: probe.info.chip,
            name: probe.info.name,
          }
        : {}),
      ...(probe.urls[0] ? { url: probe.urls[0] } : {}),
      provisioned: probe.state === 4,
    };
  if (probe.kind === 'tasmota')
    return {
      kind: 'tasmota',
      path: probe.path,
      summary: `Tasmota console${probe.status.version ? ` ${probe.status.version}` : ''}${probe.status.hardware ? ` on ${probe.status.hardware}` : ''}`,
      firmware: 'Tasmota',
      ...(probe.status.version ? { version: probe.status.version } : {}),
      ...(probe.status.hardware ? { chip: probe.status.hardware } : {}),
      ...(probe.status.deviceName ? { name: probe.status.deviceName } : {}),
    };
  return {
    kind: 'unknown',
    path: probe.path,
    summary: probe.lines.length
      ? `Unknown console (${probe.lines.length} lines of output, no Improv or Tasmota answer)`
      : 'No answer: is the board in flashing mode, or at another baud rate?',
  };
};
