import { FieldgraphError } from '../../core/errors';
import { ImprovClient, type ImprovDeviceInfo } from '../protocols/improv-client';
import {
  parseTasmotaLine,
  parseTasmotaResult,
  readTasmotaStatus,
  type TasmotaStatus,
} from '../protocols/tasmota-log';
import { openSerialLink, type SerialLink } from './port';

/** What answered on a serial port. */
export type SerialProbeResult =
  | {
      readonly kind: 'improv';
      readonly path: string;
      readonly state: number;
      readonly urls: string[];
      readonly info?: ImprovDeviceInfo;
    }
  | { readonly kind: 'tasmota'; readonly path: string; readonly status: TasmotaStatus }
  | { readonly kind: 'unknown'; readonly path: string; readonly lines: string[] };

/**
 * Probe timing. Improv's "request current state" is resent a second apart because a board
 * may still be booting after the port opened (which can reset it).
 */
export interface SerialProbeOptions {
  readonly baudRate?: number;
  /** Improv "request current state" attempts, one per interval. Default 3 × 1000 ms. */
  readonly improvAttempts?: number;
  readonly improvIntervalMs?: number;
  /** How long to wait for the Tasmota `Status 0` answer. Default 2000 ms. */
  readonly tasmotaTimeoutMs?: number;
}

/**
 * Asks an already open link what is on it: Improv "request current state" then "device
 * info"; failing that, Tasmota `Status 0`; otherwise "unknown console" with the lines seen.
 * Does not close the link.
 */
export const probeSerialLink = async (
  link: SerialLink,
  options: SerialProbeOptions = {},
): Promise<SerialProbeResult> => {
  const lines: string[] = [];
  const improv = new ImprovClient(link, { rpcTimeoutMs: 3000, onLine: (text) => lines.push(text) });
  try {
    const report = await improv.requestState(options.improvAttempts ?? 3, options.improvIntervalMs ?? 1000);
    let info: ImprovDeviceInfo | undefined;
    try {
      info = await improv.deviceInfo();
    } catch (error) {
      if (error instanceof FieldgraphError && error.code === 'serial.disconnected') throw error;
    }
    return {
      kind: 'improv',
      path: link.path,
      state: report.state,
      urls: report.urls,
      ...(info ? { info } : {}),
    };
  } catch (error) {
    if (!(error instanceof FieldgraphError) || error.code === 'serial.disconnected') throw error;
  } finally {
    improv.dispose();
  }
  const merged: Record<string, unknown> = {};
  let sawStatus = false;
  const reader = lineCollector((line) => {
    lines.push(line);
    const parsed = parseTasmotaLine(line);
    const result = parsed && parseTasmotaResult(parsed);
    if (result && /^STATUS\d*$/.test(result.key) && result.payload && typeof result.payload === 'object') {
      Object.assign(merged, result.payload);
      sawStatus = true;
    }
  });
  const offData = link.onData(reader);
  try {
    await link.write('SerialLog 2\n');
    await link.write('Status 0\n');
    const deadline = Date.now() + (options.tasmotaTimeoutMs ?? 2000);
    // Status 0 answers in several lines (STATUS, STATUS1…); collect until they stop coming.
    let seenCount = -1;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 150));
      const count = Object.keys(merged).length;
      if (sawStatus && count === seenCount) break;
      seenCount = count;
    }
  } finally {
    offData();
  }
  if (sawStatus) return { kind: 'tasmota', path: link.path, status: readTasmotaStatus(merged) };
  return { kind: 'unknown', path: link.path, lines: lines.slice(-20) };
};

/** Opens the port (without resetting the board), probes it and closes it again. */
export const probeSerialPort = async (
  path: string,
  options: SerialProbeOptions = {},
): Promise<SerialProbeResult> => {
  const link = await openSerialLink(path, options.baudRate ? { baudRate: options.baudRate } : {});
  try {
    return await probeSerialLink(link, options);
  } finally {
    await link.close();
  }
};

/** Splits a byte stream into text lines (without `\r\n`). */
export const lineCollector = (onLine: (line: string) => void): ((bytes: Uint8Array) => void) => {
  const decoder = new TextDecoder();
  let pending = '';
  return (bytes) => {
    pending += decoder.decode(bytes, { stream: true });
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) {
      const line = part.replace(/\r$/, '');
      if (line.length) onLine(line);
    }
  };
};
