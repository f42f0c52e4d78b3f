/** A site for the deploy e2e test: a mosquitto broker, a project on disk, real gateway processes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callGateway } from '../../shared/node/deploy/site';
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
    async startGateway(id, publicKeyHex, http) {
      const gw = await spawnGateway(
        [
          '--id',
          id,
          '--broker',
          broker.url,
          '--data',
          join(root, id),
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

/** An RPC call to a gateway, for assertions. */
export const callGatewayFromTest = callGateway;

/** A free port on 127.0.0.1 for a gateway's HTTP endpoint. */
export { freePort } from '../helpers/mosquitto';
