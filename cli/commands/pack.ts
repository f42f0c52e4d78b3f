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

/** The default engine range: this release line (same major; for 0.x the same minor). */
const defaultEngineRange = (): string => {
  const [major = 0, minor = 0] = appVersion.split('.').map(Number);
  return major === 0 ? `>=0.${minor}.0 <0.${minor + 1}.0` : `>=${major}.0.0 <${major + 1}.0.0`;
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
                      [--engine RANGE] [--seal-to X25519_PUBKEY --secrets FILE.json]

Packs fieldgraph.json, every flow and model, and sites/SITE.json into a signed package.
The same inputs (including SOURCE_DATE_EPOCH) give a byte-identical file.

  --site SITE         the site to pack (sites/SITE.json)
  --key FILE          signing key file (default: the installer key in your secrets file)
  --out FILE          where to write (default: <project>-<site>-v<version>.fgpkg here)
  --gateway ID        only this gateway may install it
  --group G           every gateway in group G may install it (default: group SITE)
  --version N         package version (default: seconds since 1970 at packing; must grow)
  --expires-days D    days until gateways refuse it (default 30)
  --engine RANGE      gateway engine versions it runs on (default ${defaultEngineRange()})
  --seal-to KEY       the gateway's X25519 public key (hex, from its status) to seal secrets to
  --secrets FILE      JSON object of secret values to seal (never stored in the project)`,
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
    const target: PackageTarget = values.gateway
      ? { kind: 'gateway', id: values.gateway }
      : { kind: 'group', id: values.group ?? values.site };
    try {
      const projectDir = resolve(positionals[0]!);
      const { projectId, files } = collectSiteFiles(projectDir, values.site);
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
        engine: values.engine ?? defaultEngineRange(),
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
