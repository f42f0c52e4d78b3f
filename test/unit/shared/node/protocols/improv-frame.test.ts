import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeImprovFrame,
  encodeImprovResult,
  encodeImprovRpc,
  ImprovCommand,
  ImprovStreamReader,
  ImprovType,
  wifiSettingsPayload,
} from '../../../../../shared/node/protocols/improv-frame';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).map((b) => parseInt(b, 16)));

describe('Improv framing (worked examples, checksums verified by hand)', () => {
  it('encodes request frames byte for byte', () => {
    expect(encodeImprovRpc(ImprovCommand.currentState)).toEqual(
      hex('49 4D 50 52 4F 56 01 03 02 02 00 E5 0A'),
    );
    expect(encodeImprovRpc(ImprovCommand.deviceInfo)).toEqual(hex('49 4D 50 52 4F 56 01 03 02 03 00 E6 0A'));
    expect(
      encodeImprovRpc(ImprovCommand.wifiSettings, wifiSettingsPayload('MyWirelessAP', 'mysecurepassword')),
    ).toEqual(
      hex(
        '49 4D 50 52 4F 56 01 03 20 01 1E 0C 4D 79 57 69 72 65 6C 65 73 73 41 50 10 ' +
          '6D 79 73 65 63 75 72 65 70 61 73 73 77 6F 72 64 C1 0A',
      ),
    );
  });
  it('encodes device frames byte for byte', () => {
    expect(encodeImprovFrame(ImprovType.state, Uint8Array.of(2))).toEqual(
      hex('49 4D 50 52 4F 56 01 01 01 02 E2 0A'),
    );
    expect(encodeImprovFrame(ImprovType.error, Uint8Array.of(3))).toEqual(
      hex('49 4D 50 52 4F 56 01 02 01 03 E4 0A'),
    );
    expect(encodeImprovResult(ImprovCommand.wifiSettings, ['http://192.168.1.50'])).toEqual(
      hex(
        '49 4D 50 52 4F 56 01 04 16 01 14 13 68 74 74 70 3A 2F 2F 31 39 32 2E 31 36 38 2E 31 2E 35 30 D3 0A',
      ),
    );
  });
});

describe('ImprovStreamReader', () => {
  const ready = encodeImprovFrame(ImprovType.state, Uint8Array.of(2));
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

  it('separates log lines from frames, also mid-line', () => {
    const r = new ImprovStreamReader();
    const items = r.push(cat(text('[I][app]: boot\r\nhalf '), ready, text('line\n')));
    expect(items).toEqual([
      { kind: 'line', text: '[I][app]: boot' },
      { kind: 'frame', frame: { type: 1, data: Uint8Array.of(2) } },
      { kind: 'line', text: 'half line' },
    ]);
  });

  it('reports a bad checksum and still finds the next good frame', () => {
    const bad = ready.slice();
    bad[9] = 0;
    const items = new ImprovStreamReader().push(cat(bad, ready));
    expect(items.map((i) => i.kind)).toEqual(['invalid', 'frame']);
  });

  it('recovers after a truncated frame', () => {
    const items = new ImprovStreamReader().push(cat(ready.slice(0, 7), ready, ready));
    expect(items.filter((i) => i.kind === 'frame').length).toBeGreaterThanOrEqual(1);
    expect(items.some((i) => i.kind === 'invalid')).toBe(true);
  });

  it('decodes any frame split at any byte boundaries, with log noise around it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
        fc.stringMatching(/^[a-z ]{0,20}$/),
        (data, type, cuts, noise) => {
          const stream = cat(text(`${noise}\n`), encodeImprovFrame(type, data), text(`${noise}\n`));
          const r = new ImprovStreamReader();
          const items = [];
          let at = 0;
          for (const n of [...cuts, stream.length]) {
            items.push(...r.push(stream.subarray(at, at + n)));
            at += n;
            if (at >= stream.length) break;
          }
          if (at < stream.length) items.push(...r.push(stream.subarray(at)));
          const frames = items.filter((i) => i.kind === 'frame');
          expect(frames).toEqual([{ kind: 'frame', frame: { type, data } }]);
        },
      ),
    );
  });
});
