/**
 * Child process of the fault test: opens the install folder (which repairs it), installs the
 * one package file it is given, and exits, printing each install step as it is reached. The
 * parent SIGKILLs it at random moments within a randomly chosen step.
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
  // Each step as it is reached (stdout to a pipe is synchronous on Linux), so the parent can
  // aim its kill at a phase of the install instead of at a guessed time.
  report: (report) => process.stdout.write(`step ${report.step}\n`),
});
const bytes = readFileSync(packagePath);
process.stdout.write('begin\n');
const started = performance.now();
const result = await installer.install(bytes, 'local');
process.stdout.write(`done ${result.step} ${(performance.now() - started).toFixed(2)}\n`);
