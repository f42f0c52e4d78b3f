import { join } from 'node:path';
import type { FieldgraphServices } from '../../core/api';
import { FieldgraphError } from '../../core/errors';
import { buildPackage } from '../../core/package/build';
import { sha256Hex, toHex } from '../../core/package/bytes';
import { diffFlows } from '../../core/package/diff';
import { fingerprint } from '../../core/package/keys';
import type { ManifestFile, PackageTarget } from '../../core/package/manifest';
import { collectSiteFiles, listSites } from '../deploy/collect';
import { openDeployHistory, type DeploymentRecord } from '../deploy/history';
import { mqttGatewayTarget, mqttGroupTarget } from '../deploy/mqtt';
import { s3Target } from '../deploy/s3';
import { openGatewayKeyBook, sealedSecretsFor } from '../deploy/secrets';
import { callGateway, listGatewayStatuses } from '../deploy/site';
import type { DeployOutcome, DeployTarget } from '../deploy/target';
import { usbTarget } from '../deploy/usb';
import { ensureInstallerKey } from '../keys/installer-key';
import { useNodePackageCrypto } from '../keys/node-crypto';
import { appVersion } from '../paths';
import { sharedSecretStore, type SecretStore } from '../secrets';
import type { ServiceContext } from './context';

type Spec = Parameters<FieldgraphServices['deploy']['run']>[0]['targets'][number];

const DAY = 86_400_000;

interface Installed {
  committed: number | null;
  previous: number[];
  packageId: string | null;
  files: ManifestFile[];
}

const engineRange = (): string => {
  const [major = 0, minor = 0] = appVersion.split('.').map(Number);
  return major === 0 ? `>=0.${minor}.0 <0.${minor + 1}.0` : `>=${major}.0.0 <${major + 1}.0.0`;
};

// Records hold readonly arrays; the API result type wants plain ones.
const plain = (record: DeploymentRecord) => ({
  ...record,
  results: record.results.map((r) => ({ ...r, gateways: r.gateways.map((g) => ({ ...g })) })),
});

/** The `deploy` area: packs with the installer key and delivers through shared/node/deploy. */
export const createDeployService = (
  ctx: ServiceContext,
  deps: { secrets?: SecretStore } = {},
): FieldgraphServices['deploy'] => {
  useNodePackageCrypto();
  // The same store the `secrets` area unlocks: the desktop keychain, else the shared encrypted file.
  const secretStore = (): SecretStore =>
    deps.secrets ?? ctx.secrets ?? sharedSecretStore(join(ctx.dataDir, 'secrets.json'));
  const history = openDeployHistory(join(ctx.dataDir, 'deploy-history.json'));
  const gatewayKeys = openGatewayKeyBook(join(ctx.dataDir, 'gateway-keys.json'));
  const installed = async (brokerUrl: string, gatewayId: string): Promise<Installed> => {
    const value = (await callGateway(brokerUrl, gatewayId, 'installed')) as Partial<Installed>;
    return {
      committed: value.committed ?? null,
      previous: value.previous ?? [],
      packageId: value.packageId ?? null,
      files: value.files ?? [],
    };
  };

  const targetFor = (spec: Spec): { target: DeployTarget; packageFor: PackageTarget } => {
    switch (spec.kind) {
      case 'mqtt-gateway':
        return {
          target: mqttGatewayTarget({ url: spec.brokerUrl }, spec.gatewayId),
          packageFor: { kind: 'gateway', id: spec.gatewayId },
        };
      case 'mqtt-group':
        return {
          target: mqttGroupTarget({ url: spec.brokerUrl }, spec.group, spec.expect),
          packageFor: { kind: 'group', id: spec.group },
        };
      case 'usb':
        return { target: usbTarget(spec.dir), packageFor: spec.packageFor };
      case 's3':
        return { target: s3Target(spec.url), packageFor: spec.packageFor };
      default: {
        const never: never = spec;
        throw new FieldgraphError('deploy.invalid_target', `Unknown target ${JSON.stringify(never)}.`);
      }
    }
  };

  return {
    key: async () => {
      const key = await ensureInstallerKey(secretStore());
      return { fingerprint: fingerprint(key.publicKey), publicKey: `ed25519:${toHex(key.publicKey)}` };
    },
    sites: ({ projectDir }) => listSites(projectDir),
    gateways: async ({ brokerUrl }) => {
      const statuses = await listGatewayStatuses(brokerUrl);
      return Promise.all(
        statuses.map(async (s) => {
          const base = {
            id: s.id,
            state: s.state,
            ...(s.version ? { version: s.version } : {}),
            ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
          };
          if (s.state !== 'online') return { ...base, running: null, previous: [], packageId: null };
          try {
            const i = await installed(brokerUrl, s.id);
            return { ...base, running: i.committed, previous: i.previous, packageId: i.packageId };
          } catch {
            return { ...base, running: null, previous: [], packageId: null };
          }
        }),
      );
    },
    preview: async ({ projectDir, site, brokerUrl, gatewayIds }) => {
      const { files } = collectSiteFiles(projectDir, site);
      const next = Object.entries(files).map(([path, data]) => ({ path, sha256: sha256Hex(data) }));
      return Promise.all(
        gatewayIds.map(async (gatewayId) => {
          const i = await installed(brokerUrl, gatewayId);
          return { gatewayId, running: i.committed, ...diffFlows(i.files, next) };
        }),
      );
    },
    run: async ({ projectDir, site, targets, expiresDays }) => {
      const { projectId, files } = collectSiteFiles(projectDir, site);
      const key = await ensureInstallerKey(secretStore());
      const now = Date.now();
      // Seconds since 1970 grow on their own; two deployments within one second still need two versions.
      const version = Math.max(Math.floor(now / 1000), ...history.list().map((r) => r.version + 1));
      const deploymentId = `d-${now.toString(36)}`;
      const results: Array<DeployOutcome & { code?: string }> = [];
      for (const spec of targets) {
        const { target, packageFor } = targetFor(spec);
        try {
          // Per target: the site's secrets are sealed to the one gateway this package is for.
          const secrets = await sealedSecretsFor({
            siteFile: files[`sites/${site}.json`]!,
            siteId: site,
            store: secretStore(),
            packageFor,
            brokerUrl: 'brokerUrl' in spec ? spec.brokerUrl : undefined,
            keys: gatewayKeys,
            targetLabel: target.label,
          });
          const { bytes } = buildPackage({
            packageId: `${projectId}-${site}`,
            site,
            version,
            created: new Date(now).toISOString(),
            expires: new Date(now + (expiresDays ?? 30) * DAY).toISOString(),
            target: packageFor,
            engine: engineRange(),
            files,
            signingKey: key,
            ...(secrets ? { secrets } : {}),
          });
          results.push(
            await target.deliver(bytes, {
              timeoutMs: 30_000,
              onProgress: (p) => ctx.hub.emit('onDeployProgress', { deploymentId, ...p }),
            }),
          );
        } catch (error) {
          if (!(error instanceof FieldgraphError)) throw error;
          ctx.hub.emit('onDeployProgress', {
            deploymentId,
            target: target.label,
            step: 'failed',
            message: error.message,
            at: new Date().toISOString(),
          });
          results.push({
            target: target.label,
            ok: false,
            gateways: [],
            code: error.code,
            message: error.message,
          });
        }
      }
      const record: DeploymentRecord = {
        id: deploymentId,
        at: new Date(now).toISOString(),
        site,
        version,
        ok: results.every((r) => r.ok),
        results,
      };
      history.add(record);
      ctx.log.info('deployment finished', { id: deploymentId, site, version, ok: record.ok });
      return plain(record);
    },
    history: () => history.list().reverse().map(plain),
    pair: async ({ brokerUrl, gatewayId }) => {
      const key = await ensureInstallerKey(secretStore());
      const value = (await callGateway(brokerUrl, gatewayId, 'pair', {
        publicKey: `ed25519:${toHex(key.publicKey)}`,
        label: 'Fieldgraph app',
      })) as { fingerprint: string; gatewayFingerprint: string };
      return { fingerprint: value.fingerprint, gatewayFingerprint: value.gatewayFingerprint };
    },
    rollback: async ({ brokerUrl, gatewayId }) => {
      const value = (await callGateway(brokerUrl, gatewayId, 'rollback')) as {
        running: number | null;
        message?: string;
      };
      return { running: value.running, ...(value.message ? { message: value.message } : {}) };
    },
  };
};
