import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  GatewayStatus,
  NonceBook,
  canonicalJson,
  checkRequest,
  gatewayMethods,
  identityFingerprint,
  signRequest,
  signStatus,
  statusSignatureHolds,
} from '../../../../../shared/core/gateway';
import { encodeKey, fingerprint } from '../../../../../shared/core/package/keys';
import { installerKey, testKey } from '../../../../helpers/packages';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();

describe('the gateway protocol contract', () => {
  it('says for every method whether it changes the gateway and whether it must be signed', () => {
    for (const [name, spec] of Object.entries(gatewayMethods)) {
      expect(typeof spec.readOnly, name).toBe('boolean');
      expect(typeof spec.signed, name).toBe('boolean');
      // Anything that changes the gateway is signed.
      if (!spec.readOnly) expect(spec.signed, name).toBe(true);
    }
    for (const name of ['rollback', 'run', 'rotateKey', 'unpair', 'traces', 'trace', 'live'] as const)
      expect(gatewayMethods[name].signed, name).toBe(true);
    expect(gatewayMethods.status.signed).toBe(false);
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it('accepts a fresh signed request once and names every other refusal', () => {
    const trusted = [fingerprint(installerKey.publicKey)];
    const nonces = new NonceBook();
    const request = (
      overrides: { at?: number; gatewayId?: string; args?: unknown; key?: typeof installerKey } = {},
    ) =>
      signRequest(overrides.key ?? installerKey, {
        gatewayId: overrides.gatewayId ?? 'gw-1',
        method: 'rollback',
        args: overrides.args ?? {},
        nonce: Math.random().toString(16).slice(2).padEnd(16, '0'),
        at: at(overrides.at ?? NOW),
      });
    const check =
      (auth: ReturnType<typeof request> | undefined, args: unknown = {}) =>
      () =>
        checkRequest({
          gatewayId: 'gw-1',
          method: 'rollback',
          args,
          auth,
          allowed: trusted,
          now: NOW,
          notBefore: NOW - 60_000,
          nonces,
        });
    const good = request();
    expect(check(good)()).toBe(trusted[0]);
    expect(check(good)).toThrow(expect.objectContaining({ code: 'gateway.rpc_replayed' }));
    expect(check(undefined)).toThrow(expect.objectContaining({ code: 'gateway.rpc_unsigned' }));
    expect(check(request({ key: testKey(9) }))).toThrow(
      expect.objectContaining({ code: 'gateway.rpc_untrusted_key' }),
    );
    expect(check(request({ gatewayId: 'gw-2' }))).toThrow(
      expect.objectContaining({ code: 'gateway.rpc_bad_signature' }),
    );
    expect(check(request(), { flowId: 'x' })).toThrow(
      expect.objectContaining({ code: 'gateway.rpc_bad_signature' }),
    );
    expect(check(request({ at: NOW - 6 * 60_000 }))).toThrow(
      expect.objectContaining({ code: 'gateway.rpc_stale' }),
    );
    expect(check(request({ at: NOW + 6 * 60_000 }))).toThrow(
      expect.objectContaining({ code: 'gateway.rpc_stale' }),
    );
    // Signed before the gateway started: its nonce book could not know it.
    expect(check(request({ at: NOW - 2 * 60_000 }))).toThrow(
      expect.objectContaining({ code: 'gateway.rpc_stale' }),
    );
  });

  it('a status is believed only with the signature of the identity it names', () => {
    const identity = testKey(5);
    const status = signStatus(
      { schemaVersion: 1, id: 'gw-1', state: 'online', publicKey: 'ab'.repeat(32) },
      identity,
    );
    expect(Value.Check(GatewayStatus, status)).toBe(true);
    expect(statusSignatureHolds(status)).toBe(true);
    expect(identityFingerprint(status.identity!)).toBe(fingerprint(identity.publicKey));
    // Extra measurements beside the document (the status RPC) keep the signature valid.
    expect(statusSignatureHolds({ ...status, uptimeS: 5 } as GatewayStatus)).toBe(true);
    expect(statusSignatureHolds({ ...status, publicKey: 'cd'.repeat(32) })).toBe(false);
    expect(statusSignatureHolds({ ...status, identity: encodeKey('ed25519', testKey(6).publicKey) })).toBe(
      false,
    );
    const { signature: _s, ...unsigned } = status;
    expect(statusSignatureHolds(unsigned)).toBe(false);
  });
});
