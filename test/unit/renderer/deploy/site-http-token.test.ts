import { describe, expect, it } from 'vitest';
import {
  generateToken,
  MIN_TOKEN_LENGTH,
  namedHttpToken,
  siteHttpTokenRef,
  tokenProblem,
  withHttpToken,
} from '../../../../renderer/src/deploy/site-http-token';
import type { Site } from '../../../../shared/core/model/schemas';

const site: Site = {
  schemaVersion: 1,
  id: 'home',
  name: 'Home',
  rooms: [],
  devices: [],
  bindings: [],
  gateways: [],
};

describe('the site HTTP token a person types', () => {
  it('takes one word of printable ASCII, long and varied enough', () => {
    expect(tokenProblem('c0rrect-Horse_battery~staple')).toBeNull();
    expect(tokenProblem('k3Jd9sLq0pXz7VbN')).toBeNull();
    expect(tokenProblem('!"#$%&\'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~')).toBeNull();
  });

  it('asks for a token when none is typed', () => {
    expect(tokenProblem('')).toBe('Type a token, or generate one.');
  });

  it('names a space, tab or line break and where it is', () => {
    expect(tokenProblem('abcdefgh ijklmnopq')).toBe(
      'The token has a space at character 9. A Bearer token is one word: remove it, or generate one.',
    );
    expect(tokenProblem('abcdefghijklmnopq\t')).toMatch(/^The token has a tab at character 18\. .*remove it/);
    expect(tokenProblem('abcdefgh\nijklmnopq')).toMatch(/^The token has a line break at character 9\./);
  });

  it('names a character outside printable ASCII and says what to use instead', () => {
    expect(tokenProblem('pässwörd-with-umlauts')).toBe(
      'The token has “ä” at character 2. HTTP headers carry only printable ASCII (letters, digits, symbols): use those, or generate one.',
    );
    expect(tokenProblem('abcdefghijklmnop\u0007')).toMatch(/a control character \(U\+0007\) at character 17/);
    // One character outside the BMP counts once.
    expect(tokenProblem('ab🔑cdefghijklmnopqrs')).toMatch(/^The token has “🔑” at character 3\./);
  });

  it(`needs at least ${MIN_TOKEN_LENGTH} characters, at most 256`, () => {
    expect(tokenProblem('Short-token-9')).toBe(
      'The token has 13 characters; it needs at least 16 so it cannot be guessed. Type a longer one, or generate one.',
    );
    expect(tokenProblem('abcdefghijklmno')).toMatch(/has 15 characters/);
    expect(tokenProblem('abcdefghijklmnop')).toBeNull();
    const long = 'abcdefghij'.repeat(26);
    expect(tokenProblem(long.slice(0, 256))).toBeNull();
    expect(tokenProblem(long.slice(0, 257))).toMatch(/has 257 characters; at most 256/);
  });

  it('refuses patterns and too little variety', () => {
    expect(tokenProblem('aaaaaaaaaaaaaaaaaaaa')).toMatch(/only 1 different character,/);
    expect(tokenProblem('abababababababababab')).toMatch(/only 2 different characters.*at least 8/);
    // Digits only: 16 of them are about 53 bits, 20 are enough.
    expect(tokenProblem('1234567890123456')).toMatch(/too easy to guess.*only digits need 20/);
    expect(tokenProblem('12345678901234567890')).toBeNull();
  });
});

describe('a generated site HTTP token', () => {
  it('is 32 random bytes as base64url, which the typed-token rules accept', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenProblem(token)).toBeNull();
    expect(generateToken()).not.toBe(token);
  });

  it('writes exactly the bytes the generator gives', () => {
    const fixed = generateToken((b) => b.forEach((_, i) => (b[i] = i * 8)));
    expect(Buffer.from(fixed, 'base64url')).toEqual(Buffer.from(Array.from({ length: 32 }, (_, i) => i * 8)));
  });
});

describe('the site file and the token reference', () => {
  it('names the reference, replaces one named before and removes it', () => {
    expect(siteHttpTokenRef('home')).toBe('site/home/http');
    expect(namedHttpToken(site)).toBeNull();
    const named = withHttpToken(site, 'site/home/http');
    expect(named.http).toEqual({ token: { secret: 'site/home/http' } });
    expect(namedHttpToken(named)).toBe('site/home/http');
    expect(withHttpToken(named, 'other/ref').http).toEqual({ token: { secret: 'other/ref' } });
    const removed = withHttpToken(named, null);
    expect(removed).not.toHaveProperty('http');
    expect(removed).toEqual(site);
  });
});
