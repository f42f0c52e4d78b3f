/** A site for the deploy e2e test: a mosquitto broker, a project on disk, real gateway processes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withGatewayClient } from '../../shared/node/deploy/gateway-client';
import { startMosquitto } from '../helpers/mosquitto';
import { flow, writeProject } from '../integration/gateway/fixtures';
import { spawnGateway, type GatewayProcess } from '../integration/gateway/process';

/** What the deploy test needs around the app. */
export interface DeployFixtures {
  readonly brokerUrl: string;
  readonly projectDir: string;
  helloFlow(payload: string): ReturnType<typeof flow>;
  /**
   * Starts `fieldgraph gateway` trusting `publicKeyHex`; with `http`, it also serves its HTTP
   * endpoint on 127.0.0.1 and takes packages with that deploy token.
   */
  startGateway(
    id: string,
    publicKeyHex: string,
    http?: { port: number; token: string },
    /** Another data folder (a replaced gateway: same id, new identity). */
    dataName?: string,
  ): Promise<GatewayProcess>;
  stop(): Promise<void>;
}

const hello = (payload: string) =>
  flow(
    'hello',
    [
      ['t', 'trigger.gateway-started'],
      ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: JSON.stringify(payload) }],
    ],
    [['t', 'pub']],
  );

/** Starts the broker and writes the project. */
export const startDeployFixtures = async (): Promise<DeployFixtures> => {
  const broker = await startMosquitto();
  const root = mkdtempSync(join(tmpdir(), 'fg-e2e-deploy-'));
  const projectDir = writeProject(join(root, 'project'), [hello('first')]);
  const gateways: GatewayProcess[] = [];
  return {
    brokerUrl: broker.url,
    projectDir,
    helloFlow: hello,
    async startGateway(id, publicKeyHex, http, dataName = id) {
      const gw = await spawnGateway(
        [
          '--id',
          id,
          '--broker',
          broker.url,
          '--data',
          join(root, dataName),
          '--trust',
          publicKeyHex,
          ...(http ? ['--http', `127.0.0.1:${http.port}`] : []),
        ],
        [],
        http ? { FIELDGRAPH_GATEWAY_TOKEN: http.token } : {},
      );
      gateways.push(gw);
      await gw.online();
      return gw;
    },
    async stop() {
      for (const gw of gateways) {
        if (gw.child.exitCode === null) gw.child.kill('SIGTERM');
        await gw.exited;
      }
      await broker.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
};

/** What a gateway says it has installed (an unsigned RPC), for assertions. */
export const installedOn = (brokerUrl: string, gatewayId: string) =>
  withGatewayClient({ brokerUrl }, (client) => client.call(gatewayId, 'installed', {}));

/** A free port on 127.0.0.1 for a gateway's HTTP endpoint. */
export { freePort } from '../helpers/mosquitto';
