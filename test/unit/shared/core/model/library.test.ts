import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../../../shared/core/model/problems';
import { loadLibrary } from '../../../../../shared/node/library/load';

describe('the built-in library', () => {
  it('loads with no problems, at least 20 capabilities and the models the issue lists', async () => {
    const lib = await loadLibrary();
    expect(lib.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    // Warnings are allowed only for affordances a firmware genuinely lacks (e.g. no toggle payload in HA).
    expect(lib.problems.filter((p) => p.code !== 'model.missing_binding').map(formatProblem)).toEqual([]);
    expect(lib.capabilities.length).toBeGreaterThanOrEqual(20);
    const ids = lib.models.map((m) => m.id);
    for (const id of [
      'tasmota-relay',
      'tasmota-sensor',
      'shelly-plus-1',
      'shelly-plus-1pm',
      'esphome-device',
      'ha-switch',
      'ha-light',
      'ha-sensor',
      'ha-binary-sensor',
      'homie-device',
      'mqtt-json-device',
      'fieldgraph-gateway',
    ]) {
      expect(ids).toContain(id);
    }
  });
});
