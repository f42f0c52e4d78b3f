/**
 * Child process of the fault test: opens the install folder (which repairs it), installs the
 * one package file it is given, and exits. The parent SIGKILLs it at random moments.
 */
import { readFileSync } from 'node:fs';
import { createInstaller } from '../../../shared/node/gateway/install/installer';
import { NOW, installerKey } from '../../helpers/packages';

const [root, packagePath] = process.argv.slice(2) as [string, string];
const installer = createInstaller({
  root,
  gatewayId: 'gw-1',
  engineVersion: '1.0.0',
  trust: () => ({ trusted: [installerKey.publicKey], revoked: [] }),
  now: () => NOW,
  keep: 2,
});
const bytes = readFileSync(packagePath);
process.stdout.write('begin\n');
const started = performance.now();
const result = await installer.install(bytes, 'local');
process.stdout.write(`done ${result.step} ${(performance.now() - started).toFixed(2)}\n`);
