import { describe, expect, it } from 'vitest';
import { portsWithPicked, type PickedDevice, type PortInfo } from '../../../../renderer/src/commission/types';

const pick = (kind: PickedDevice['kind'], where: string): PickedDevice => ({
  key: `${kind}:${where}`,
  kind,
  where,
  baudRate: 115200,
  name: '',
  room: '',
  devicePassword: '',
});

describe("the wizard's serial port list", () => {
  const listed: PortInfo[] = [
    { path: '/dev/ttyUSB0', source: 'system', manufacturer: 'Silicon Labs' },
    { path: '/dev/ttyACM0', source: 'scan' },
  ];

  it('lists a port handed over from a device page that the listing does not have, once', () => {
    const handed = pick('serial', '/tmp/demo-serial/demo-sensor');
    expect(portsWithPicked(listed, [handed, { ...handed, key: 'again' }])).toEqual([
      ...listed,
      { path: '/tmp/demo-serial/demo-sensor', source: 'user' },
    ]);
    // with no listing at all (it failed), the picked port is still there to untick
    expect(portsWithPicked([], [handed])).toEqual([{ path: '/tmp/demo-serial/demo-sensor', source: 'user' }]);
  });

  it('keeps what the listing knows of a picked port, and leaves Shelly addresses out', () => {
    expect(
      portsWithPicked(listed, [pick('serial', '/dev/ttyUSB0'), pick('shelly', 'http://192.168.33.1/')]),
    ).toEqual(listed);
  });
});
