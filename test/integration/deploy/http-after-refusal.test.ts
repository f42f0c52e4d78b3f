/**
 * A deploy over HTTP right after the gateway refused a token. The gateway answers a refused
 * upload on its headers and drops that connection a moment later without reading the body; a
 * client that pooled the connection sent the next deploy into the drop, and it failed with
 * "Cannot reach … (fetch failed)" though the gateway was there (seen in the deploy e2e).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { httpGatewayTarget } from '../../../shared/node/deploy/http';
import { makePackage } from '../../helpers/packages';
import { startTestGateway, type TestGateway } from './harness';

const TOKEN = 'gw-token-after-refusal';
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

describe('HTTP deploy after a refused token', () => {
  it('the next deploy goes through at once, every time', async () => {
    gateway = await startTestGateway({ id: 'gw-refusal', http: { token: TOKEN } });
    const url = `http://127.0.0.1:${gateway.http!.port}`;
    // Incompressible, so the upload is still being sent when the refusal comes back.
    const padding = `{"id":"relay","padding":"${randomBytes(2 * 1024 * 1024).toString('base64')}"}\n`;
    const pkg = (version: number) =>
      makePackage({
        version,
        target: { kind: 'gateway', id: 'gw-refusal' },
        files: { 'models/relay.json': new TextEncoder().encode(padding) },
      });
    const wrong = httpGatewayTarget(url, 'not-the-token', 'gw-refusal');
    const right = httpGatewayTarget(url, TOKEN, 'gw-refusal');
    for (const version of [2, 3, 4]) {
      await expect(wrong.deliver(pkg(version), { timeoutMs: 20_000 })).rejects.toMatchObject({
        code: 'deploy.upload_failed',
      });
      const outcome = await right.deliver(pkg(version), { timeoutMs: 20_000 });
      expect(outcome.gateways[0], JSON.stringify(outcome)).toMatchObject({
        ok: true,
        step: 'committed',
        running: version,
      });
    }
  });
});
