import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FieldgraphError } from '../../shared/core/errors';
import { fingerprint, generateSigningKey } from '../../shared/core/package/keys';
import { makeRotation } from '../../shared/core/package/rotation';
import { brokerTlsFromFiles, splitBrokerUrl } from '../../shared/node/deploy/broker';
import { withGatewayClient } from '../../shared/node/deploy/gateway-client';
import { readPublicKey, readSigningKeyFile, writeSigningKeyFiles } from '../../shared/node/keys/files';
import { UsageError, type Command } from '../command';

/** `fieldgraph keys`: make a signing key pair, show a key's fingerprint. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Make, rotate or fingerprint a package signing key',
  usage: `Usage: fieldgraph keys generate --out DIR
       fieldgraph keys fingerprint PUBKEY
       fieldgraph keys rotate --key OLD.key --out DIR [--mqtt URL --gateway ID …]
                              [--ca FILE] [--cert FILE --cert-key FILE]

  generate     writes DIR/signing.key (secret, mode 0600) and DIR/signing.pub; never overwrites
  fingerprint  prints the fingerprint of a public key (file or "ed25519:<hex>") to compare
               with what a gateway shows before you trust it
  rotate       makes a new key in DIR and DIR/rotation.json signed by the old key; with
               --mqtt and --gateway, sends it to those gateways, which then trust the new
               key and refuse the old one; on an mqtts:// broker --ca checks the broker and
               --cert/--cert-key are this client's certificate and key (PEM)`,
  async run(argv) {
    const [action, ...rest] = argv;
    try {
      if (action === 'generate') {
        const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } }, strict: true });
        if (!values.out) throw new UsageError('Say where to write the key with --out DIR.');
        const files = writeSigningKeyFiles(resolve(values.out));
        console.log(`Wrote ${files.secretPath} (keep it secret) and ${files.publicPath}.`);
        console.log(`Fingerprint: ${files.fingerprint}`);
        return 0;
      }
      if (action === 'rotate') {
        const { values } = parseArgs({
          args: rest,
          strict: true,
          options: {
            key: { type: 'string' },
            out: { type: 'string' },
            mqtt: { type: 'string' },
            gateway: { type: 'string', multiple: true },
            ca: { type: 'string' },
            cert: { type: 'string' },
            'cert-key': { type: 'string' },
          },
        });
        if (!values.key || !values.out)
          throw new UsageError('Give the retiring key with --key and where to write the new one with --out.');
        if (Boolean(values.mqtt) !== Boolean(values.gateway?.length))
          throw new UsageError('--mqtt and --gateway go together.');
        // Read before anything is written: a bad TLS file leaves no half-done rotation behind.
        const broker = values.mqtt ? splitBrokerUrl(values.mqtt) : undefined;
        const tls = brokerTlsFromFiles({
          ca: { flag: '--ca', path: values.ca },
          cert: { flag: '--cert', path: values.cert },
          key: { flag: '--cert-key', path: values['cert-key'] },
        });
        const old = readSigningKeyFile(resolve(values.key));
        const next = generateSigningKey();
        const files = writeSigningKeyFiles(resolve(values.out), next);
        const rotation = makeRotation(old, next.publicKey, new Date().toISOString());
        writeFileSync(join(resolve(values.out), 'rotation.json'), JSON.stringify(rotation, null, 2) + '\n');
        console.log(
          `New key ${files.fingerprint} in ${files.secretPath}; rotation from ${fingerprint(old.publicKey)} in rotation.json.`,
        );
        let failed = 0;
        if (broker) {
          const { url: _url, ...connection } = broker;
          // The request is signed by the retiring key, which the gateways still trust.
          await withGatewayClient(
            { ...connection, ...(tls ? { tls } : {}), signingKey: old },
            async (client) => {
              for (const id of values.gateway ?? []) {
                try {
                  await client.call(id, 'rotateKey', { rotation });
                  console.log(
                    `${id}: now trusts ${files.fingerprint} and refuses ${fingerprint(old.publicKey)}.`,
                  );
                } catch (error) {
                  failed++;
                  console.error(`${id}: ${(error as Error).message}`);
                }
              }
            },
          );
        }
        return failed ? 1 : 0;
      }
      if (action === 'fingerprint') {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
        if (positionals.length !== 1) throw new UsageError('Give one public key file or "ed25519:<hex>".');
        console.log(fingerprint(readPublicKey(positionals[0]!)));
        return 0;
      }
    } catch (error) {
      if (error instanceof FieldgraphError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
    throw new UsageError(
      action ? `Unknown keys action "${action}".` : 'Say what to do: generate or fingerprint.',
    );
  },
};
