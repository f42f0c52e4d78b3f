import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FieldgraphError } from '../../shared/core/errors';
import { buildPackage } from '../../shared/core/package/build';
import { fromUtf8 } from '../../shared/core/package/bytes';
import { decodeKey, type SigningKeyPair } from '../../shared/core/package/keys';
import type { PackageTarget } from '../../shared/core/package/manifest';
import { siteSecretUses } from '../../shared/core/package/site-secrets';
import { collectSiteFiles } from '../../shared/node/deploy/collect';
import { readSigningKeyFile } from '../../shared/node/keys/files';
import { ensureInstallerKey } from '../../shared/node/keys/installer-key';
import { appVersion, defaultDataDir } from '../../shared/node/paths';
import { createEncryptedFileSecretStore } from '../../shared/node/secrets';
import { useNodePackageCrypto } from '../../shared/node/keys/node-crypto';
import { GATEWAY_ID_PATTERN } from '../../shared/core/gateway';
import { engineRangeFor, satisfiesEngine } from '../../shared/core/package/manifest';
import { createModelValidation, hasErrors, loadProject } from '../../shared/core/project';
import { loadLibrary } from '../../shared/node/library/load';
import { UnreadableFolderError, readProjectFolder } from '../../shared/node/project';
import { UsageError, type Command } from '../command';

const DAY = 86_400_000;

// The site as JSON; a damaged file has no secrets to warn about (the gateway reports it).
const siteDocument = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(fromUtf8(bytes)) as unknown;
  } catch {
    return undefined;
  }
};

const COMPARATOR = /^(>=|<=|>|<|=)?(\d+)\.(\d+)\.(\d+)$/;

/** Why `range` cannot be an engine range (malformed, or no version satisfies it), or undefined. */
const engineRangeProblem = (range: string): string | undefined => {
  const parts = range.trim().split(/\s+/);
  const bad = parts.find((p) => !COMPARATOR.test(p));
  if (bad !== undefined)
    return `"${bad}" is not a comparator; write the range as ">=1.0.0 <2.0.0" (>=, >, <=, <, = and x.y.z)`;
  // The versions a range admits form one interval whose ends are its bounds or the next patch
  // after one: if none of those satisfies it, no version does.
  const candidates = parts.flatMap((p) => {
    const [, , major, minor, patch] = COMPARATOR.exec(p)!;
    return [`${major}.${minor}.${patch}`, `${major}.${minor}.${Number(patch) + 1}`];
  });
  if (!candidates.some((v) => satisfiesEngine(v, range))) return `no engine version satisfies "${range}"`;
  return undefined;
};

const loadKey = async (file: string | undefined): Promise<SigningKeyPair> => {
  if (file) return readSigningKeyFile(resolve(file), (warning) => console.error(`Warning: ${warning}`));
  try {
    return await ensureInstallerKey(
      createEncryptedFileSecretStore({ path: join(defaultDataDir(), 'secrets.json') }),
    );
  } catch (error) {
    if (error instanceof FieldgraphError && error.code.startsWith('secrets.')) {
      throw new FieldgraphError(
        'keys.not_found',
        `${error.message} Or sign with a key file: --key signing.key (see \`fieldgraph keys generate\`).`,
      );
    }
    throw error;
  }
};

/** `fieldgraph pack`: a signed package of one site of a project. */
export const packCommand: Command = {
  name: 'pack',
  summary: 'Pack a site of a project into a signed .fgpkg',
  usage: `Usage: fieldgraph pack PROJECT_DIR --site SITE [--key FILE] [--out FILE]
                      [--gateway ID | --group G] [--version N] [--expires-days D]
                      [--engine RANGE] [--seal-to X25519_PUBKEY --secrets FILE.json] [--force]

Packs fieldgraph.json, every flow and model, and sites/SITE.json into a signed package.
The same inputs (including SOURCE_DATE_EPOCH) give a byte-identical file. The project is
validated first (as \`fieldgraph validate\` does): error-level problems refuse the pack.

  --site SITE         the site to pack (sites/SITE.json)
  --key FILE          signing key file (default: the installer key in your secrets file)
  --out FILE          where to write (default: <project>-<site>-v<version>.fgpkg here)
  --gateway ID        only this gateway may install it
  --group G           every gateway in group G may install it (default: group SITE)
  --version N         package version (default: seconds since 1970 at packing; must grow)
  --expires-days D    days until gateways refuse it (default 30)
  --engine RANGE      gateway engine versions it runs on (default ${engineRangeFor(appVersion)})
  --seal-to KEY       the gateway's X25519 public key (hex, from its status) to seal secrets to
  --secrets FILE      JSON object of secret values to seal (never stored in the project)
  --force             pack even when the project has error-level problems`,
  async run(argv) {
    useNodePackageCrypto();
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        site: { type: 'string' },
        key: { type: 'string' },
        out: { type: 'string' },
        gateway: { type: 'string' },
        group: { type: 'string' },
        version: { type: 'string' },
        'expires-days': { type: 'string', default: '30' },
        engine: { type: 'string' },
        'seal-to': { type: 'string' },
        secrets: { type: 'string' },
        force: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError('Give exactly one project folder.');
    if (!values.site) throw new UsageError('Say which site to pack with --site SITE.');
    if (values.gateway && values.group) throw new UsageError('Give --gateway or --group, not both.');
    if (Boolean(values['seal-to']) !== Boolean(values.secrets))
      throw new UsageError('--seal-to and --secrets go together.');
    const epoch = process.env.SOURCE_DATE_EPOCH;
    const createdMs = epoch && /^\d+$/.test(epoch) ? Number(epoch) * 1000 : Date.now();
    const version = values.version === undefined ? Math.floor(createdMs / 1000) : Number(values.version);
    if (!Number.isSafeInteger(version) || version < 1)
      throw new UsageError(
        `--version must be a whole number of at least 1, not ${JSON.stringify(values.version)}.`,
      );
    const days = Number(values['expires-days']);
    if (!(days > 0))
      throw new UsageError(
        `--expires-days must be a positive number, not ${JSON.stringify(values['expires-days'])}.`,
      );
    for (const [flag, id] of [
      ['--gateway', values.gateway],
      ['--group', values.group],
    ] as const) {
      if (id !== undefined && !GATEWAY_ID_PATTERN.test(id))
        throw new UsageError(
          `${flag} must be a gateway or group id (1–64 letters, digits, "-" or "_"), not ${JSON.stringify(id)}.`,
        );
    }
    if (values.engine !== undefined) {
      const problem = engineRangeProblem(values.engine);
      if (problem) throw new UsageError(`--engine: ${problem}.`);
    }
    const target: PackageTarget = values.gateway
      ? { kind: 'gateway', id: values.gateway }
      : { kind: 'group', id: values.group ?? values.site };
    try {
      const projectDir = resolve(positionals[0]!);
      // A package is what a gateway will run: a project `validate` refuses is not packed.
      let folder;
      try {
        folder = await readProjectFolder(projectDir);
      } catch (error) {
        if (!(error instanceof UnreadableFolderError)) throw error;
        console.error(`${error.problem.message} ${error.problem.hint ?? ''}`.trim());
        return 1;
      }
      const loaded = loadProject(folder.files, createModelValidation(await loadLibrary()));
      const problems = loaded.ok ? loaded.project.problems : loaded.problems;
      if (!loaded.ok || hasErrors(problems)) {
        const errors = problems.filter((p) => p.severity === 'error');
        for (const p of errors.slice(0, 20)) console.error(`${p.path}: ${p.message} [${p.code}]`);
        if (!values.force || !loaded.ok) {
          console.error(
            `The project has ${errors.length} error-level problem(s); nothing was packed. Fix them (fieldgraph validate ${positionals[0]} lists them)${loaded.ok ? ', or pack anyway with --force' : ''}.`,
          );
          return 1;
        }
        console.error('Packing anyway (--force).');
      }
      const { projectId, files } = await collectSiteFiles(projectDir, values.site);
      let secrets: { values: Record<string, string>; gatewayPublicKey: Uint8Array } | undefined;
      if (values['seal-to'] && values.secrets) {
        const sealTo = values['seal-to'].trim();
        const secretValues = JSON.parse(readFileSync(resolve(values.secrets), 'utf8')) as Record<
          string,
          string
        >;
        secrets = {
          values: secretValues,
          gatewayPublicKey: decodeKey('x25519', sealTo.includes(':') ? sealTo : `x25519:${sealTo}`),
        };
      }
      // A package short of the site's secrets installs fine and then fails on site: say so now.
      const uses = siteSecretUses(siteDocument(files[`sites/${values.site}.json`]!));
      const unsealed = uses.filter((u) => secrets?.values[u.secret] === undefined);
      if (unsealed.length) {
        console.error(
          `Warning: the package does not carry ${unsealed.map((u) => `"${u.secret}" (${u.field})`).join(', ')}; ${secrets ? 'add them to the --secrets file' : 'seal them with --seal-to KEY --secrets FILE'}, or the devices that need them will fail on the gateway.`,
        );
      }
      const key = await loadKey(values.key);
      const { bytes, manifest } = buildPackage({
        packageId: `${projectId}-${values.site}`,
        site: values.site,
        version,
        created: new Date(createdMs).toISOString(),
        expires: new Date(createdMs + days * DAY).toISOString(),
        target,
        engine: values.engine ?? engineRangeFor(appVersion),
        files,
        ...(secrets ? { secrets } : {}),
        signingKey: key,
      });
      const out = resolve(values.out ?? `${manifest.packageId}-v${manifest.version}.fgpkg`);
      writeFileSync(out, bytes);
      console.log(
        `Packed ${manifest.files.length} files into ${out} (version ${manifest.version}, for ${target.kind} ${target.id}, signed by ${manifest.signer}).`,
      );
      return 0;
    } catch (error) {
      if (error instanceof FieldgraphError) {
        console.error(error.message);
        return 1;
      }
      if (error instanceof SyntaxError) {
        console.error(`--secrets must be a JSON object of names to values (${error.message}).`);
        return 1;
      }
      throw error;
    }
  },
};
