import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FieldgraphError } from '../../shared/core/errors';
import { verifyPackage } from '../../shared/core/package/verify';
import { readPublicKey } from '../../shared/node/keys/files';
import { useNodePackageCrypto } from '../../shared/node/keys/node-crypto';
import { UsageError, type Command } from '../command';

/** `fieldgraph verify`: check a package the way a gateway would. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check a .fgpkg: signature, trusted key, hashes, expiry, target',
  usage: `Usage: fieldgraph verify FILE --trust PUBKEY [--trust PUBKEY …] [--json]
                        [--revoked FINGERPRINT …] [--gateway ID [--group G …]] [--installed N] [--engine X.Y.Z]

Exit 0 when the package is accepted; 1 when it is refused, with the reason code
(--json prints {"ok":false,"code":…,"message":…}).

  --trust PUBKEY     a trusted signing key: a signing.pub file or "ed25519:<hex>" (repeatable)
  --revoked FP       a revoked key fingerprint (repeatable)
  --gateway ID       also check the package is for this gateway (with its --group memberships)
  --installed N      also check the package is newer than version N
  --engine X.Y.Z     also check the package runs on this engine version`,
  async run(argv) {
    useNodePackageCrypto();
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        trust: { type: 'string', multiple: true },
        revoked: { type: 'string', multiple: true },
        gateway: { type: 'string' },
        group: { type: 'string', multiple: true },
        installed: { type: 'string' },
        engine: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError('Give exactly one package file.');
    if (!values.trust?.length) throw new UsageError('Say which signing key to trust with --trust PUBKEY.');
    if (values.installed !== undefined && !/^\d+$/.test(values.installed))
      throw new UsageError('--installed must be a version number.');
    const say = (ok: boolean, body: Record<string, unknown>, text: string): number => {
      if (values.json) console.log(JSON.stringify({ ok, ...body }));
      else (ok ? console.log : console.error)(text);
      return ok ? 0 : 1;
    };
    try {
      const trusted = values.trust.map((t) => readPublicKey(t));
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(resolve(positionals[0]!));
      } catch (error) {
        throw new FieldgraphError(
          'package.corrupt',
          `Cannot read ${positionals[0]} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
        );
      }
      const { manifest, signer } = verifyPackage(bytes, {
        trusted,
        revoked: values.revoked ?? [],
        now: Date.now(),
        ...(values.gateway ? { gateway: { id: values.gateway, groups: values.group ?? [] } } : {}),
        ...(values.installed !== undefined ? { installedVersion: Number(values.installed) } : {}),
        ...(values.engine ? { engineVersion: values.engine } : {}),
      });
      const summary = {
        packageId: manifest.packageId,
        site: manifest.site,
        version: manifest.version,
        target: manifest.target,
        expires: manifest.expires,
        signer,
        files: manifest.files.length,
      };
      return say(
        true,
        summary,
        `Accepted: ${manifest.packageId} version ${manifest.version} for ${manifest.target.kind} ${manifest.target.id}, signed by ${signer}, ${manifest.files.length} files intact, valid until ${manifest.expires}.`,
      );
    } catch (error) {
      if (error instanceof FieldgraphError)
        return say(
          false,
          { code: error.code, message: error.message },
          `Refused (${error.code}): ${error.message}`,
        );
      throw error;
    }
  },
};
