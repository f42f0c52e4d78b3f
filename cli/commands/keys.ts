import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FieldgraphError } from '../../shared/core/errors';
import { fingerprint } from '../../shared/core/package/keys';
import { readPublicKey, writeSigningKeyFiles } from '../../shared/node/keys/files';
import { UsageError, type Command } from '../command';

/** `fieldgraph keys`: make a signing key pair, show a key's fingerprint. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Make a package signing key, or show a key fingerprint',
  usage: `Usage: fieldgraph keys generate --out DIR
       fieldgraph keys fingerprint PUBKEY

  generate     writes DIR/signing.key (secret, mode 0600) and DIR/signing.pub; never overwrites
  fingerprint  prints the fingerprint of a public key (file or "ed25519:<hex>") to compare
               with what a gateway shows before you trust it`,
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
