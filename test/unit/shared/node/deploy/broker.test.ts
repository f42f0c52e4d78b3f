import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerTlsRefs } from '../../../../../shared/core/api/areas/deploy';
import { isSecretRefName } from '../../../../../shared/core/project/secret-ref';
import {
  brokerFromStore,
  brokerTlsFromFiles,
  splitBrokerUrl,
} from '../../../../../shared/node/deploy/broker';
import { FieldgraphError } from '../../../../../shared/core/errors';
import type { SecretStore } from '../../../../../shared/node/secrets';

const PEM = (what: string) => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----\n`;
const dir = mkdtempSync(join(tmpdir(), 'fg-broker-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const store = (values: Record<string, string>, locked = false): SecretStore => ({
  kind: 'encrypted-file',
  get: async (ref) => {
    if (locked) throw new FieldgraphError('secrets.locked', 'locked');
    return values[ref];
  },
  set: async () => {},
  delete: async () => {},
  list: async () => Object.keys(values).sort(),
});

describe('reaching a site broker', () => {
  it('names the TLS files of a broker by its address, as valid secret references', () => {
    expect(brokerTlsRefs('mqtts://10.0.0.2:8883')).toEqual({
      ca: 'broker/10.0.0.2_8883/tls-ca',
      cert: 'broker/10.0.0.2_8883/tls-cert',
      key: 'broker/10.0.0.2_8883/tls-key',
    });
    expect(brokerTlsRefs('mqtts://user:pw@Broker.example').cert).toBe('broker/broker.example_8883/tls-cert');
    expect(brokerTlsRefs('wss://[fe80::1]/mqtt').cert).toBe('broker/fe80--1_443/tls-cert');
    for (const url of ['mqtts://10.0.0.2:8883', 'wss://[fe80::1]/mqtt', 'not a url'])
      for (const ref of Object.values(brokerTlsRefs(url))) expect(isSecretRefName(ref)).toBe(true);
  });

  it('takes the credentials out of the address', () => {
    expect(splitBrokerUrl('mqtt://anna:p%40ss@127.0.0.1:1883')).toMatchObject({
      brokerUrl: 'mqtt://127.0.0.1:1883',
      username: 'anna',
      password: 'p@ss',
    });
    expect(() => splitBrokerUrl('http://127.0.0.1:1883')).toThrow(/mqtt:\/\/, mqtts:\/\//);
    expect(() => splitBrokerUrl('nonsense')).toThrow(/not a broker address/);
  });

  it('reads the stored TLS files for mqtts:// only, and names what is wrong with them', async () => {
    const refs = brokerTlsRefs('mqtts://127.0.0.1:8883');
    const full = {
      [refs.ca]: PEM('CERTIFICATE'),
      [refs.cert]: PEM('CERTIFICATE'),
      [refs.key]: PEM('PRIVATE KEY'),
    };
    expect(await brokerFromStore(store(full), 'mqtt://127.0.0.1:8883')).toEqual({
      brokerUrl: 'mqtt://127.0.0.1:8883',
    });
    expect((await brokerFromStore(store(full), 'mqtts://127.0.0.1:8883')).tls).toEqual({
      ca: full[refs.ca],
      cert: full[refs.cert],
      key: full[refs.key],
    });
    expect(await brokerFromStore(store({}), 'mqtts://127.0.0.1:8883')).toEqual({
      brokerUrl: 'mqtts://127.0.0.1:8883',
    });
    await expect(
      brokerFromStore(store({ [refs.cert]: full[refs.cert]! }), 'mqtts://127.0.0.1:8883'),
    ).rejects.toThrow(refs.key);
    await expect(
      brokerFromStore(store({ ...full, [refs.key]: 'hunter2' }), 'mqtts://127.0.0.1:8883'),
    ).rejects.toMatchObject({
      code: 'deploy.invalid_target',
      message: expect.not.stringContaining('hunter2'),
    });
    await expect(brokerFromStore(store(full, true), 'mqtts://127.0.0.1:8883')).rejects.toMatchObject({
      code: 'secrets.locked',
      message: expect.stringContaining(refs.cert),
    });
  });

  it('reads TLS files named on the command line', () => {
    writeFileSync(join(dir, 'c.pem'), PEM('CERTIFICATE'));
    writeFileSync(join(dir, 'k.pem'), PEM('PRIVATE KEY'));
    writeFileSync(join(dir, 'junk'), 'not pem');
    expect(brokerTlsFromFiles({})).toBeUndefined();
    expect(
      brokerTlsFromFiles({
        cert: { flag: '--cert', path: join(dir, 'c.pem') },
        key: { flag: '--cert-key', path: join(dir, 'k.pem') },
      }),
    ).toEqual({ cert: PEM('CERTIFICATE'), key: PEM('PRIVATE KEY') });
    expect(() => brokerTlsFromFiles({ cert: { flag: '--cert', path: join(dir, 'c.pem') } })).toThrow(
      /--cert-key|needs its key/,
    );
    expect(() => brokerTlsFromFiles({ ca: { flag: '--ca', path: join(dir, 'missing') } })).toThrow(
      /--ca .*missing cannot be read \(ENOENT\)/,
    );
    expect(() => brokerTlsFromFiles({ ca: { flag: '--ca', path: join(dir, 'junk') } })).toThrow(
      /--ca .*junk is not PEM/,
    );
  });
});
