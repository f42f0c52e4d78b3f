/**
 * A site broker that takes only clients with a certificate from its CA (mosquitto with
 * `require_certificate true`): the Deploy view takes the broker's CA, client certificate and key
 * as files into the secret store (a file that is not PEM is refused with the fix), then finds
 * the gateway, previews and deploys through that broker. The key never reaches the page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from '../helpers/mosquitto';
import { makeTls, tlsListener } from '../integration/deploy/harness';
import { flow, writeProject } from '../integration/gateway/fixtures';
import { spawnGateway } from '../integration/gateway/process';
import { expect, screenshot, startWebApp, test } from './fixtures';
import { DeployPage } from './pages/deploy';

test('a broker that requires client certificates: its TLS files go into the secret store, then the gateway is found and deployed to', async ({
  browser,
}) => {
  const tls = makeTls();
  const root = mkdtempSync(join(tmpdir(), 'fg-e2e-tls-'));
  const listener = await tlsListener(tls);
  const broker = await startMosquitto(listener.lines);
  const app = await startWebApp({ FIELDGRAPH_SECRETS_PASSPHRASE: 'e2e-passphrase' });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    await page.goto(app.url);
    const tlsUrl = `mqtts://127.0.0.1:${listener.port}`;
    const paths = {
      ca: join(root, 'ca.pem'),
      cert: join(root, 'client.pem'),
      key: join(root, 'client.key'),
      wrong: join(root, 'client.der'),
    };
    writeFileSync(paths.ca, tls.ca);
    writeFileSync(paths.cert, tls.clientCert);
    writeFileSync(paths.key, tls.clientKey);
    writeFileSync(paths.wrong, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]));

    const deploy = new DeployPage(page);
    await deploy.open();
    const gw = await spawnGateway([
      '--id',
      'tls-gw',
      '--broker',
      tlsUrl,
      '--ca',
      paths.ca,
      '--cert',
      paths.cert,
      '--cert-key',
      paths.key,
      '--data',
      join(root, 'gw'),
      '--trust',
      await deploy.publicKey(),
    ]);
    cleanup.push(gw.kill);
    await gw.online();

    const project = writeProject(join(root, 'project'), [
      flow(
        'hello',
        [
          ['t', 'trigger.gateway-started'],
          ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: '"over tls"' }],
        ],
        [['t', 'pub']],
      ),
    ]);
    await deploy.project.fill(project);

    // A plain broker address asks for no TLS files; an mqtts:// one does.
    await deploy.broker.fill(broker.url);
    await expect(page.getByTestId('broker-tls')).toHaveCount(0);
    await deploy.broker.fill(tlsUrl);
    const section = page.getByTestId('broker-tls');
    await expect(section).toBeVisible();
    const row = (key: string) => section.locator(`[data-tls-file="${key}"]`);
    for (const key of ['ca', 'cert', 'key'])
      await expect(row(key).getByTestId('tls-state')).toHaveText('not stored');

    // A DER file where PEM is wanted is refused with what to do.
    await section.getByLabel('Client certificate file (PEM)').setInputFiles(paths.wrong);
    await expect(section.getByRole('alert')).toContainText('is not a PEM client certificate');
    await expect(row('cert').getByTestId('tls-state')).toHaveText('not stored');

    await section.getByLabel('CA certificate file (PEM)').setInputFiles(paths.ca);
    await expect(row('ca').getByTestId('tls-state')).toHaveText('stored');
    await section.getByLabel('Client certificate file (PEM)').setInputFiles(paths.cert);
    await expect(row('cert').getByTestId('tls-state')).toHaveText('stored');
    await section.getByLabel('Client key file (PEM)').setInputFiles(paths.key);
    await expect(row('key').getByTestId('tls-state')).toHaveText('stored');
    await expect(section.getByRole('status')).toContainText(
      'Client key stored in the secret store as broker/127.0.0.1_',
    );
    await screenshot(page, 'deploy-broker-tls');

    await page.getByTestId('deploy-find').click();
    await expect(deploy.gateway('tls-gw')).toContainText('online', { timeout: 20_000 });
    await deploy.choose('tls-gw');
    await deploy.preview();
    await expect(deploy.previews).toContainText('+ hello');
    await deploy.deploy();
    await expect(deploy.view.getByTestId('deploy-steps')).toContainText('committed', { timeout: 30_000 });

    const keyBody = tls.clientKey.split('\n')[1]!;
    expect(await page.content()).not.toContain(keyBody);
    expect(errors).toEqual([]);
  } finally {
    for (const step of cleanup.reverse()) await step();
    await page.close();
    await app.stop();
    await broker.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(tls.dir, { recursive: true, force: true });
  }
});
