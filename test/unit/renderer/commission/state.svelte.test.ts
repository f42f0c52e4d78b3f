import { beforeEach, describe, expect, it } from 'vitest';
import { commissionDevice, newRun, wizard } from '../../../../renderer/src/commission/state.svelte';
import type { Run } from '../../../../renderer/src/commission/types';
import { nav } from '../../../../renderer/src/shell/nav.svelte';

const sensor = { kind: 'serial' as const, where: '/dev/ttyUSB0', name: 'Hall sensor' };

beforeEach(() => {
  newRun();
  nav.view = 'devices';
});

describe('handing a device to the commissioning wizard', () => {
  it('picks it once, with what is known and defaults for the rest, and shows the wizard', async () => {
    commissionDevice({ ...sensor, probe: { kind: 'improv', path: '/dev/ttyUSB0' } as never });
    commissionDevice({ ...sensor, name: 'Another name' });
    expect(wizard.picked).toEqual([
      {
        key: 'serial:/dev/ttyUSB0',
        kind: 'serial',
        where: '/dev/ttyUSB0',
        name: 'Hall sensor',
        baudRate: 115200,
        devicePassword: '',
        room: '',
        probe: { kind: 'improv', path: '/dev/ttyUSB0' },
      },
    ]);
    await Promise.resolve();
    expect(nav.view).toBe('commission');
  });

  it('adds to the devices already picked, keeping a room given', () => {
    commissionDevice(sensor);
    commissionDevice({
      kind: 'shelly',
      where: 'http://192.168.1.40',
      name: 'Porch',
      room: 'porch',
      baudRate: 9600,
    });
    expect(wizard.picked.map((p) => [p.key, p.room, p.baudRate])).toEqual([
      ['serial:/dev/ttyUSB0', '', 115200],
      ['shelly:http://192.168.1.40', 'porch', 9600],
    ]);
  });

  it('goes back to the first step unless a run is under way', () => {
    wizard.step = 2;
    commissionDevice(sensor);
    expect(wizard.step).toBe(0);

    wizard.step = 3;
    wizard.run = { status: 'running' } as Run;
    commissionDevice({ ...sensor, where: '/dev/ttyUSB1' });
    expect(wizard.step).toBe(3);
    expect(wizard.run).not.toBeNull();

    wizard.run = { status: 'finished' } as Run;
    commissionDevice({ ...sensor, where: '/dev/ttyUSB2' });
    expect(wizard.step).toBe(0);
    expect(wizard.run).toBeNull();
  });

  it('a new run keeps the profile and forgets the devices, the run and the error', () => {
    wizard.profile.ssid = 'Hall';
    wizard.error = 'The device did not answer.';
    commissionDevice(sensor);
    newRun();
    expect(wizard.picked).toEqual([]);
    expect(wizard.error).toBeNull();
    expect(wizard.profile.ssid).toBe('Hall');
  });
});
