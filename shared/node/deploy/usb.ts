/**
 * Delivery to a folder or removable drive: the package is written durably under a name that
 * says what it is, read back and checked byte for byte and against its own signature, with a
 * README for the person who carries it to the gateway.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import { sameBytes } from '../../core/package/bytes';
import { decodeKey } from '../../core/package/keys';
import { SIGNATURE_FILE, type ManifestSignature } from '../../core/package/manifest';
import { verifyPackage } from '../../core/package/verify';
import { readZip } from '../../core/package/zip';
import { writeFileDurably } from '../durable-file';
import { useNodePackageCrypto } from '../keys/node-crypto';
import { peekManifest, progress, type DeployTarget } from './target';

const readme = (
  file: string,
  site: string,
  version: number,
  target: string,
  expires: string,
): string => `Fieldgraph package for site "${site}"

File:     ${file}
Version:  ${version}
For:      ${target}
Valid to: ${expires}

How to install it
1. Plug this drive into the gateway (or copy ${file} into the gateway's watched folder).
2. The gateway checks the signature and installs the package by itself within a few seconds.
   Do not unplug the drive until the gateway's status shows version ${version}.
3. If the gateway refuses the package, its deploy result says why (for example
   package.expired or package.wrong_target); tell the person who sent it.

Do not edit or rename anything inside the .fgpkg file: any change makes the gateway refuse it.
`;

/** A folder (USB drive, shared folder). */
export const usbTarget = (dir: string): DeployTarget => {
  const label = `folder ${dir}`;
  return {
    kind: 'usb',
    label,
    async deliver(bytes, options) {
      useNodePackageCrypto();
      const manifest = peekManifest(bytes);
      const name = `${manifest.packageId}-v${manifest.version}.fgpkg`;
      const path = join(dir, name);
      try {
        mkdirSync(dir, { recursive: true });
        writeFileDurably(path, bytes, { temp: `${path}.partial` });
        const target =
          manifest.target.kind === 'gateway'
            ? `gateway ${manifest.target.id}`
            : `gateways of group ${manifest.target.id}`;
        const guide = join(dir, 'README.txt');
        const text = readme(name, manifest.site, manifest.version, target, manifest.expires);
        writeFileDurably(guide, text, { temp: `${guide}.partial` });
      } catch (error) {
        throw new FieldgraphError(
          'deploy.unreachable',
          `Cannot write to ${dir} (${(error as Error).message}). Is the drive mounted and writable?`,
        );
      }
      options?.onProgress?.(progress(label, 'written', { message: path }));
      const back = readFileSync(path);
      if (!sameBytes(back, bytes)) {
        throw new FieldgraphError(
          'deploy.readback_failed',
          `The copy on ${dir} reads back different from what was written; the drive may be failing. Use another drive.`,
        );
      }
      // The read-back copy must still be a whole, correctly signed package.
      const sig = JSON.parse(
        Buffer.from(readZip(back).get(SIGNATURE_FILE) ?? []).toString('utf8') || '{}',
      ) as Partial<ManifestSignature>;
      try {
        verifyPackage(back, {
          trusted: sig.key ? [decodeKey('ed25519', sig.key)] : [],
          now: Date.parse(manifest.created),
        });
      } catch (error) {
        throw new FieldgraphError(
          'deploy.readback_failed',
          `The copy on ${dir} does not verify (${(error as Error).message}).`,
        );
      }
      options?.onProgress?.(progress(label, 'read_back', { message: 'Read back and verified.' }));
      return {
        target: label,
        ok: true,
        gateways: [],
        location: path,
        message: `Written to ${path} with a README; read back and verified.`,
      };
    },
  };
};
