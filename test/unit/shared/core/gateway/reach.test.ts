import { describe, expect, it } from 'vitest';
import { httpHostFor, isLoopbackHost } from '../../../../../shared/core/gateway';

describe('where a gateway HTTP endpoint answers', () => {
  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST'].map(isLoopbackHost)).toEqual(
      [true, true, true, true, true, true],
    );
    expect(
      ['0.0.0.0', '::', '169.254.1.1', '128.0.0.1', '127.example', 'fe80::1'].map(isLoopbackHost),
    ).toEqual([false, false, false, false, false, false]);
  });

  it('reaches a wildcard or unnamed listener where the gateway was seen, a named one at its name', () => {
    expect(httpHostFor(undefined, '169.254.1.1')).toBe('169.254.1.1');
    expect(httpHostFor('0.0.0.0', '169.254.1.1')).toBe('169.254.1.1');
    expect(httpHostFor('::', '169.254.1.1')).toBe('169.254.1.1');
    expect(httpHostFor('[::]', 'fe80::1')).toBe('fe80::1');
    expect(httpHostFor('10.1.2.3', '169.254.1.1')).toBe('10.1.2.3');
    expect(httpHostFor('10.1.2.3', undefined)).toBe('10.1.2.3');
  });

  it('reaches a loopback listener only from loopback', () => {
    expect(httpHostFor('127.0.0.1', '169.254.1.1')).toBeUndefined();
    expect(httpHostFor('127.0.0.1', undefined)).toBeUndefined();
    expect(httpHostFor('127.0.0.1', '127.0.0.1')).toBe('127.0.0.1');
    expect(httpHostFor('::1', 'localhost')).toBe('localhost');
  });
});
