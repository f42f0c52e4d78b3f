import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FieldgraphServices } from '../../core/api';
import { gatewayTokenRef } from '../../core/api/areas/deploy';
import { FieldgraphError } from '../../core/errors';
import { buildPackage } from '../../core/package/build';
import { sha256Hex, toHex } from '../../core/package/bytes';
import { diffFlows } from '../../core/package/diff';
import { fingerprint } from '../../core/package/keys';
import { identityFingerprint } from '../../core/gateway';
import { engineRangeFor, type ManifestFile, type PackageTarget } from '../../core/package/manifest';
import type { DiscoveredDevice } from '../../core/registry/types';
import { replySignedBy, type GatewayStatus } from '../../core/gateway';
import { collectSiteFiles, listSites } from '../deploy/collect';
import { mdnsGatewaysOf, mergeGateways, type HttpGateway } from '../deploy/gateways';
import { openDeployHistory, type DeploymentRecord } from '../deploy/history';
import { fetchGatewayStatus, gatewayHttpBase, httpGatewayTarget } from '../deploy/http';
import { brokerFromStore } from '../deploy/broker';
import { mqttGatewayTarget, mqttGroupTarget, type BrokerOptions } from '../deploy/mqtt';
import { s3Target } from '../deploy/s3';
import { withGatewayClient, type GatewayClientOptions } from '../deploy/gateway-client';
import { openGatewayPinBook, type PinCheck } from '../deploy/pins';
import { sealedSecretsFor } from '../deploy/secrets';
import type { DeployOutcome, DeployTarget } from '../deploy/target';
import { redactUrl } from '../redact';
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

/** Path and SHA-256 of each file of a package payload (what the flow diff compares). */
const fileList = (files: Record<string, Uint8Array>): Array<{ path: string; sha256: string }> =>
  Object.entries(files).map(([path, data]) => ({ path, sha256: sha256Hex(data) }));

/** The installed version a gateway status reports, null when it runs no package. */
const runningOf = (status: GatewayStatus): number | null =>
  status.source?.kind === 'package' ? (status.source.version ?? null) : null;

// Records hold readonly arrays; the API result type wants plain ones. The file list stays on disk.
const plain = ({ files: _files, ...record }: DeploymentRecord) => ({
  ...record,
  results: record.results.map((r) => ({ ...r, gateways: r.gateways.map((g) => ({ ...g })) })),
});

/** The `deploy` area: packs with the installer key and delivers through shared/node/deploy. */
export const createDeployService = (
  ctx: ServiceContext,
  deps: {
    secrets?: SecretStore;
    /** The app's discovery registry (services composition): gateways announcing over mDNS are read from it. */
    devices?: () => readonly DiscoveredDevice[];
  } = {},
): FieldgraphServices['deploy'] => {
  useNodePackageCrypto();
  // The same store the `secrets` area unlocks: the desktop keychain, else the shared encrypted file.
  const secretStore = (): SecretStore =>
    deps.secrets ?? ctx.secrets ?? sharedSecretStore(join(ctx.dataDir, 'secrets.json'));
  const history = openDeployHistory(join(ctx.dataDir, 'deploy-history.json'));
  const pins = openGatewayPinBook(join(ctx.dataDir, 'gateway-keys.json'));
  // Every conversation with a gateway goes through the protocol client, signed with the installer key.
  // On a TLS broker it presents the client certificate stored for that broker (brokerTlsRefs).
  const client = async (brokerUrl: string): Promise<GatewayClientOptions> => ({
    ...(await brokerFromStore(secretStore(), brokerUrl)),
    signingKey: await ensureInstallerKey(secretStore()),
  });
  // An MQTT target whose broker connection (credentials, TLS files) is read when it delivers,
  // so a locked store or a missing key fails that one target, recorded in the history.
  const viaBroker = (brokerUrl: string, make: (broker: BrokerOptions) => DeployTarget): DeployTarget => ({
    ...make({ url: brokerUrl }),
    async deliver(bytes, options) {
      const { brokerUrl: url, ...rest } = await brokerFromStore(secretStore(), brokerUrl);
      return make({ url, ...rest }).deliver(bytes, options);
    },
  });
  const installed = async (brokerUrl: string, gatewayId: string): Promise<Installed> => {
    const value = await withGatewayClient(await client(brokerUrl), (c) =>
      c.call(gatewayId, 'installed', {}, { identity: pins.get(gatewayId)?.identity }),
    );
    return {
      committed: value.committed,
      previous: value.previous,
      packageId: value.packageId,
      files: value.files,
    };
  };
  const identityOf = (check: PinCheck) =>
    check.state === 'changed'
      ? { state: check.state, fingerprint: check.announced, pinned: check.pinned }
      : check.state === 'unsigned'
        ? { state: check.state }
        : {
            state: check.state,
            fingerprint: check.fingerprint,
            ...(check.state === 'paired' ? { pinned: check.fingerprint } : {}),
          };

  // The deploy token is read from the secret store when the package goes out, so a missing or
  // locked token fails this one target (recorded in the history) and never reaches the UI.
  const tokenTarget = (spec: Extract<Spec, { kind: 'http-gateway' }>): DeployTarget => {
    const { gatewayId, tokenRef } = spec;
    const fix = `store the gateway's token (its FIELDGRAPH_GATEWAY_TOKEN) as "${tokenRef}" with the Deploy view's token field for ${gatewayId}, then deploy again`;
    let base: string | undefined;
    try {
      base = gatewayHttpBase(spec.url);
    } catch {
      // reported when delivering, like every other per-target problem
    }
    return {
      kind: 'http',
      label: `gateway ${gatewayId} via ${base ? redactUrl(`${base}/v1/packages`) : '(invalid URL)'}`,
      async deliver(bytes, options) {
        // Secret references are scoped by purpose: an HTTP target's bearer token can only be the
        // gateway's own deploy token, never the site's Wi-Fi password or any other secret.
        if (tokenRef !== gatewayTokenRef(gatewayId)) {
          throw new FieldgraphError(
            'deploy.invalid_target',
            `The deploy token for gateway ${gatewayId} can only come from the secret "${gatewayTokenRef(gatewayId)}", not "${tokenRef.slice(0, 200)}"; nothing was sent.`,
          );
        }
        const url = gatewayHttpBase(spec.url);
        let token: string | undefined;
        try {
          token = await secretStore().get(tokenRef);
        } catch (error) {
          if (error instanceof FieldgraphError && error.code === 'secrets.locked')
            throw new FieldgraphError(
              'secrets.locked',
              `The secret store is locked, so the deploy token "${tokenRef}" for ${gatewayId} cannot be read: unlock it (or set FIELDGRAPH_SECRETS_PASSPHRASE) and deploy again.`,
            );
          throw error;
        }
        if (!token)
          throw new FieldgraphError(
            'deploy.invalid_target',
            `No deploy token for gateway ${gatewayId} is stored as "${tokenRef}": ${fix}.`,
          );
        return httpGatewayTarget(url, token, gatewayId, { tokenFix: fix }).deliver(bytes, options);
      },
    };
  };

  /**
   * The flow changes on a gateway known by its HTTP address. Its status names the version it
   * runs and its flow ids but not their hashes; a version deployed from this app is compared
   * file by file with the list kept in the history, any other by flow id only.
   */
  const previewOverHttp = async (url: string, next: ReturnType<typeof fileList>) => {
    const status = await fetchGatewayStatus(url, 5_000);
    const running = runningOf(status);
    if (running === null) return { running, ...diffFlows([], next) };
    const deployed = history.list().find((r) => r.version === running && r.files)?.files;
    if (deployed) return { running, ...diffFlows(deployed, next) };
    const before = (status.flows ?? []).map((f) => ({ path: `flows/${f.id}.json`, sha256: '' }));
    const changes = diffFlows(before, next);
    return {
      running,
      ...changes,
      // Without hashes every flow on both sides may have changed: shown as changed, said so.
      changed: [...changes.changed, ...changes.unchanged].sort(),
      unchanged: [],
      note: `Version ${running} was not deployed from this app, so flows on both sides are compared by id only and shown as changed.`,
    };
  };

  // The gateway's status as the target reaches it, for sealing; USB and S3 have none.
  const liveStatus = (spec: Spec): (() => Promise<GatewayStatus | undefined>) | undefined => {
    if (spec.kind === 'mqtt-gateway')
      return async () =>
        (await withGatewayClient(await client(spec.brokerUrl), (c) => c.status(spec.gatewayId)))?.status;
    if (spec.kind === 'http-gateway')
      return async () => {
        const status = await fetchGatewayStatus(spec.url);
        if (status.id !== spec.gatewayId)
          throw new FieldgraphError(
            'deploy.invalid_target',
            `${redactUrl(spec.url)} is gateway ${status.id}, not ${spec.gatewayId}; check the address before its secrets are sealed.`,
          );
        return status;
      };
    return undefined;
  };

  const targetFor = (spec: Spec): { target: DeployTarget; packageFor: PackageTarget } => {
    switch (spec.kind) {
      case 'mqtt-gateway':
        return {
          target: viaBroker(spec.brokerUrl, (broker) => mqttGatewayTarget(broker, spec.gatewayId)),
          packageFor: { kind: 'gateway', id: spec.gatewayId },
        };
      case 'http-gateway':
        return { target: tokenTarget(spec), packageFor: { kind: 'gateway', id: spec.gatewayId } };
      case 'mqtt-group':
        return {
          target: viaBroker(spec.brokerUrl, (broker) => mqttGroupTarget(broker, spec.group, spec.expect)),
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
    gateways: async ({ brokerUrl, httpUrls }) => {
      const typed: HttpGateway[] = await Promise.all(
        [...new Set((httpUrls ?? []).map(gatewayHttpBase))].map(async (url) => ({
          url,
          status: await fetchGatewayStatus(url),
        })),
      );
      const read = brokerUrl ? await withGatewayClient(await client(brokerUrl), (c) => c.statuses()) : [];
      const statuses = read.map((r) => r.status);
      // Each status is checked against the pinned identity; one signed by the pinned identity
      // refreshes the sealing key kept for USB and S3 packages, nothing else touches it.
      const identities = new Map<string, ReturnType<typeof identityOf>>();
      for (const s of [...statuses, ...typed.map((t) => t.status)])
        identities.set(s.id, identityOf(pins.check(s)));
      const listed = mergeGateways({
        mdns: mdnsGatewaysOf(deps.devices?.() ?? []),
        mqtt: statuses,
        http: typed,
        ...(brokerUrl ? { brokerUrl } : {}),
      });
      // Only names: whether a token is stored decides what the view offers, never its value.
      const stored = new Set(
        await secretStore()
          .list()
          .catch(() => [] as string[]),
      );
      return Promise.all(
        listed.map(async ({ httpConfirmed, httpUrl, ...g }) => {
          const tokenRef = gatewayTokenRef(g.id);
          const identity = identities.get(g.id);
          const base = {
            ...g,
            tokenRef,
            tokenStored: stored.has(tokenRef),
            ...(identity ? { identity } : {}),
          };
          const nothing = { running: null, previous: [], packageId: null };
          if (brokerUrl && g.foundBy.includes('mqtt') && g.state === 'online') {
            try {
              const i = await installed(brokerUrl, g.id);
              return {
                ...base,
                ...(httpUrl ? { httpUrl } : {}),
                running: i.committed,
                previous: i.previous,
                packageId: i.packageId,
              };
            } catch {
              return { ...base, ...(httpUrl ? { httpUrl } : {}), ...nothing };
            }
          }
          if (!httpUrl) return { ...base, ...nothing };
          // Found without the broker: what it runs comes from its HTTP status (no previous versions there).
          try {
            const status =
              typed.find((t) => t.url === httpUrl)?.status ?? (await fetchGatewayStatus(httpUrl));
            return {
              ...base,
              state: 'online',
              ...(status.version ? { version: status.version } : {}),
              ...(status.fingerprint ? { fingerprint: status.fingerprint } : {}),
              httpUrl,
              ...nothing,
              running: runningOf(status),
            };
          } catch {
            // A guessed port that does not answer HTTP is the embedded broker's: no HTTP here.
            return { ...base, ...(httpConfirmed ? { httpUrl } : {}), ...nothing };
          }
        }),
      );
    },
    preview: async ({ projectDir, site, brokerUrl, gatewayIds, httpUrls }) => {
      const { files } = await collectSiteFiles(projectDir, site);
      const next = fileList(files);
      return Promise.all(
        gatewayIds.map(async (gatewayId) => {
          const httpUrl = httpUrls?.[gatewayId];
          if (httpUrl) return { gatewayId, ...(await previewOverHttp(httpUrl, next)) };
          if (!brokerUrl)
            throw new FieldgraphError(
              'deploy.invalid_target',
              `Say how to reach gateway ${gatewayId}: its site broker, or its HTTP address.`,
            );
          const i = await installed(brokerUrl, gatewayId);
          return { gatewayId, running: i.committed, ...diffFlows(i.files, next) };
        }),
      );
    },
    run: async ({ projectDir, site, targets, expiresDays }) => {
      const { projectId, files } = await collectSiteFiles(projectDir, site);
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
            pins,
            ...(liveStatus(spec) ? { liveStatus: liveStatus(spec) } : {}),
            targetLabel: target.label,
          });
          const { bytes } = buildPackage({
            packageId: `${projectId}-${site}`,
            site,
            version,
            created: new Date(now).toISOString(),
            expires: new Date(now + (expiresDays ?? 30) * DAY).toISOString(),
            target: packageFor,
            engine: engineRangeFor(appVersion),
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
        files: fileList(files),
      };
      history.add(record);
      ctx.log.info('deployment finished', { id: deploymentId, site, version, ok: record.ok });
      return plain(record);
    },
    history: () => history.list().reverse().map(plain),
    pair: async ({ brokerUrl, gatewayId, replace }) => {
      const key = await ensureInstallerKey(secretStore());
      const { value, reply } = await withGatewayClient(await client(brokerUrl), (c) =>
        c.callWithReply(gatewayId, 'pair', {
          publicKey: `ed25519:${toHex(key.publicKey)}`,
          label: 'Fieldgraph app',
        }),
      );
      // The answer must be signed by the identity it hands over, and be about the gateway asked.
      if (value.gateway !== gatewayId || !replySignedBy(reply, gatewayId, value.identity)) {
        throw new FieldgraphError(
          'gateway.unsigned_status',
          `The answer to pairing with ${gatewayId} is not signed by the identity it names; nothing was pinned. Something else may be answering as this gateway.`,
        );
      }
      const pinned = pins.get(gatewayId);
      if (pinned && pinned.identity !== value.identity && !replace) {
        throw new FieldgraphError(
          'gateway.identity_changed',
          `Gateway ${gatewayId} answers with identity ${value.gatewayFingerprint}, but this app paired with ${identityFingerprint(pinned.identity)}. Compare the fingerprint on the gateway's console, then re-pair on purpose.`,
          { pinned: identityFingerprint(pinned.identity), announced: value.gatewayFingerprint },
        );
      }
      pins.pin(gatewayId, value.identity, value.publicKey);
      return { fingerprint: value.fingerprint, gatewayFingerprint: value.gatewayFingerprint };
    },
    rollback: async ({ brokerUrl, gatewayId }) => {
      if (!brokerUrl)
        throw new FieldgraphError(
          'deploy.invalid_target',
          `Gateway ${gatewayId} is reached here only over HTTP, and its HTTP endpoint has no rollback: rolling back is an RPC over the site broker. Enter the broker the gateway uses (for a gateway running its own broker, mqtt://ITS-ADDRESS:PORT), press Find gateways and roll back again.`,
        );
      // The site is the one last delivered to this gateway; a rollback is history like a delivery.
      const site =
        [...history.list()]
          .reverse()
          .find((r) => r.results.some((t) => t.gateways.some((g) => g.gateway === gatewayId)))?.site ?? '';
      const target = `gateway ${gatewayId} via ${redactUrl(brokerUrl)}`;
      const record = (running: number | null, message?: string): void =>
        history.add({
          id: randomUUID(),
          at: new Date().toISOString(),
          site,
          version: running ?? 0,
          ok: true,
          kind: 'rollback',
          results: [
            {
              target,
              ok: true,
              gateways: [
                {
                  gateway: gatewayId,
                  ok: true,
                  step: 'rolled_back',
                  running,
                  ...(message ? { message } : {}),
                },
              ],
              ...(message ? { message } : {}),
            },
          ],
        });
      // A refused rollback changes nothing on the gateway, so only one that happened is history.
      const value = (await withGatewayClient(await client(brokerUrl), (c) =>
        c.call(gatewayId, 'rollback', {}, { identity: pins.get(gatewayId)?.identity }),
      )) as { running: number | null; message?: string };
      record(value.running, value.message);
      return { running: value.running, ...(value.message ? { message: value.message } : {}) };
    },
  };
};
