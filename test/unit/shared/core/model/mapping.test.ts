import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMapping, convert, decodeValue, encodeValue } from '../../../../../shared/core/model/mapping';
import type { Mapping } from '../../../../../shared/core/model/schemas';

const onOff: Mapping = {
  kind: 'enum',
  pairs: [
    { device: 'ON', value: true },
    { device: 'OFF', value: false },
  ],
};
const brightness: Mapping = {
  kind: 'linear',
  device: [0, 255],
  value: [0, 100],
  clamp: true,
  decimals: 0,
  deviceDecimals: 0,
};
const fahrenheit: Mapping = { kind: 'linear', device: [32, 212], value: [0, 100] };
const value = (r: ReturnType<typeof convert>) => (r.ok ? r.value : `failed: ${r.reason}`);

describe('mappings round-trip', () => {
  it('"ON"/"OFF" ↔ boolean, both ways, for every boolean', () => {
    fc.assert(
      fc.property(fc.boolean(), (b) => {
        const wire = encodeValue([onOff], b);
        expect(wire.ok && ['ON', 'OFF'].includes(wire.value as string)).toBe(true);
        expect(value(decodeValue([onOff], wire.ok ? wire.value : undefined))).toBe(b);
      }),
    );
  });

  it('0–100 % → 0–255 → the same percentage, for every whole percentage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), (pct) => {
        const wire = encodeValue([brightness], pct);
        expect(
          wire.ok &&
            Number.isInteger(wire.value) &&
            (wire.value as number) >= 0 &&
            (wire.value as number) <= 255,
        ).toBe(true);
        expect(value(decodeValue([brightness], wire.ok ? wire.value : undefined))).toBe(pct);
      }),
    );
  });

  it('0–255 → % → 0–255 stays within one rounding step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (level) => {
        const pct = decodeValue([brightness], level);
        const back = encodeValue([brightness], pct.ok ? pct.value : undefined);
        expect(Math.abs((back.ok ? (back.value as number) : NaN) - level)).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('°F ↔ °C without clamping, exact to floating-point precision', () => {
    expect(value(convert(fahrenheit, 212, 'forward'))).toBe(100);
    expect(value(convert(fahrenheit, -40, 'forward'))).toBe(-40);
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), (f) => {
        const c = decodeValue([fahrenheit], f);
        const back = encodeValue([fahrenheit], c.ok ? c.value : undefined);
        expect(back.ok && Math.abs((back.value as number) - f)).toBeLessThan(1e-9);
      }),
    );
  });

  it('text ↔ number for every finite number, and text ↔ JSON for every JSON value', () => {
    const asNumber: Mapping = { kind: 'parse', as: 'number' };
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        (n) => {
          const wire = encodeValue([asNumber], n);
          expect(typeof (wire.ok && wire.value)).toBe('string');
          expect(value(decodeValue([asNumber], wire.ok ? wire.value : ''))).toBe(n);
        },
      ),
    );
    const asJson: Mapping = { kind: 'parse', as: 'json' };
    fc.assert(
      fc.property(fc.jsonValue(), (j) => {
        const wire = encodeValue([asJson], j);
        const back = decodeValue([asJson], wire.ok ? wire.value : '');
        expect(back.ok && JSON.stringify(back.value)).toBe(JSON.stringify(j));
      }),
    );
  });

  it('a chain applies forward in order and backward in reverse order (text 0–255 ↔ %)', () => {
    const chain: Mapping[] = [{ kind: 'parse', as: 'number' }, brightness];
    expect(value(decodeValue(chain, '255'))).toBe(100);
    expect(value(encodeValue(chain, 50))).toBe('128');
  });

  it('refuses what it cannot convert, with the reason', () => {
    expect(value(convert(onOff, 'BLINK', 'forward'))).toMatch(/"BLINK" is not one of "ON", "OFF"/);
    expect(value(convert({ kind: 'parse', as: 'number' }, 'abc', 'forward'))).toMatch(/not a number/);
    expect(value(convert({ kind: 'parse', as: 'integer' }, '2.5', 'forward'))).toMatch(/whole number/);
    expect(value(convert(brightness, 'x', 'reverse'))).toMatch(/not a number/);
  });

  it('one-way mappings pass values through in the other direction', () => {
    const lwt: Mapping = { kind: 'enum', direction: 'forward', pairs: [{ device: 'Online', value: true }] };
    expect(value(convert(lwt, 'Online', 'forward'))).toBe(true);
    expect(value(convert(lwt, true, 'reverse'))).toBe(true);
  });

  it('bands map every number inside them, and their representative back', () => {
    const battery: Mapping = {
      kind: 'ranges',
      bands: [
        { min: 0, max: 3.3, value: 'low', representative: 3 },
        { min: 3.3, max: 5, value: 'ok', representative: 4 },
      ],
    };
    fc.assert(
      fc.property(fc.double({ min: 0, max: 4.999, noNaN: true }), (v) => {
        const r = convert(battery, v, 'forward');
        expect(r.ok && r.value).toBe(v < 3.3 ? 'low' : 'ok');
        const back = convert(battery, r.ok ? r.value : '', 'reverse');
        const again = convert(battery, back.ok ? back.value : NaN, 'forward');
        expect(again.ok && again.value).toBe(r.ok && r.value);
      }),
    );
    expect(value(convert(battery, 7, 'forward'))).toMatch(/falls in no band/);
  });
});

describe('mapping checks', () => {
  it('finds a capability value with no device value (gap)', () => {
    const partial: Mapping = { kind: 'enum', pairs: [{ device: 'ON', value: true }] };
    const findings = checkMapping(partial, { type: 'boolean' });
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'mapping.gap',
        severity: 'error',
        message: expect.stringMatching(/false has no device value \(gap\)/),
      }),
    ]);
    expect(checkMapping(onOff, { type: 'boolean' })).toEqual([]);
    expect(checkMapping({ ...partial, direction: 'forward' }, { type: 'boolean' })).toEqual([]);
  });

  it('finds one device value with two meanings (overlap), and values the capability forbids', () => {
    const twice: Mapping = {
      kind: 'enum',
      pairs: [
        { device: 'ON', value: true },
        { device: 'ON', value: false },
      ],
    };
    expect(
      checkMapping(twice)
        .map((f) => f.message)
        .join(),
    ).toMatch(/appears twice/);
    expect(checkMapping(twice).map((f) => f.code)).toContain('mapping.overlap');
    const wrong: Mapping = { kind: 'enum', pairs: [{ device: 'ON', value: 'yes' }] };
    expect(checkMapping(wrong, { type: 'string', enum: ['on', 'off'] }).map((f) => f.path)).toContain(
      'pairs.0.value',
    );
  });

  it('codes each finding where it is found, whatever the values say', () => {
    // A value named "gap" or "overlap" used to be taken for the finding it names.
    const named: Mapping = { kind: 'enum', pairs: [{ device: 'overlap', value: 'gap' }] };
    expect(checkMapping(named, { type: 'string', enum: ['on'] }).map((f) => f.code)).toEqual([
      'mapping.gap',
      'mapping.invalid',
    ]);
  });

  it('finds gaps and overlaps between bands, empty bands and zero-width ranges', () => {
    const bands: Mapping = {
      kind: 'ranges',
      direction: 'forward',
      bands: [
        { min: 0, max: 10, value: 'a' },
        { min: 12, max: 20, value: 'b' },
        { min: 19, max: 30, value: 'c' },
        { min: 40, max: 40, value: 'd' },
      ],
    };
    expect(new Set(checkMapping(bands).map((f) => f.code))).toEqual(
      new Set(['mapping.gap', 'mapping.overlap', 'mapping.invalid']),
    );
    const messages = checkMapping(bands).map((f) => f.message);
    expect(messages.some((m) => /\[10, 12\) \(gap\)/.test(m))).toBe(true);
    expect(messages.some((m) => /overlap/.test(m))).toBe(true);
    expect(messages.some((m) => /is empty/.test(m))).toBe(true);
    expect(checkMapping({ kind: 'linear', device: [5, 5], value: [0, 1] })[0]?.message).toMatch(/zero width/);
    expect(
      checkMapping({ ...bands, direction: 'symmetric' }).some((f) => /representative/.test(f.message)),
    ).toBe(true);
  });
});
