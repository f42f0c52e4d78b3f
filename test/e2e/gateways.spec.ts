import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { buildPackage } from '../../shared/core/package/build';
import { toHex } from '../../shared/core/package/bytes';
import { collectSiteFiles } from '../../shared/node/deploy/collect';
import { mqttGatewayTarget } from '../../shared/node/deploy/mqtt';
import { appVersion } from '../../shared/node/paths';
import { startMosquitto } from '../helpers/mosquitto';
import { installerKey } from '../helpers/packages';
import { flow, writeProject } from '../integration/gateway/fixtures';
import { spawnGateway } from '../integration/gateway/process';
import { expect, screenshot, startWebApp, test, type WebApp } from './fixtures';
import { DeployPage } from './pages/deploy';

test('the Gateways view shows a real gateway live: health, traces one click away, and offline through its Last Will', async ({
  page,
  pageErrors,
}) => {
  const broker = await startMosquitto();
  const data = mkdtempSync(join(tmpdir(), 'fg-e2e-gw-'));
  const gw = await spawnGateway(['--id', 'hall-gw', '--broker', broker.url, '--data', data]);
  try {
    await gw.online();
    await page.locator('nav[aria-label="Main"] button[data-view="gateways"]').click();
    await page.getByRole('textbox', { name: 'Site broker' }).fill(broker.url);
    await page.getByRole('button', { name: 'Find gateways' }).click();
    const card = page.locator('[data-testid="gateway-card"][data-gateway="hall-gw"]');
    await expect(card.getByTestId('gateway-state')).toHaveText('Online');
    await expect(card.getByTestId('gateway-engine')).toHaveText(/^\d+\.\d+\.\d+/);
    await expect(card.getByTestId('gateway-package')).toHaveText('none installed');
    await expect(card.getByTestId('gateway-flows')).toContainText('0 running');
    await expect(card.getByTestId('gateway-last-deploy')).toHaveText('never');
    await expect(card).toContainText('MQTT');
    await expect(card).not.toContainText('unsigned status');
    await screenshot(page, 'gateways-online');

    // Killed without a goodbye: the broker's Last Will turns the card offline, live.
    gw.child.kill('SIGKILL');
    await expect(card.getByTestId('gateway-state')).toHaveText('Offline (connection lost)', {
      timeout: 20_000,
    });
    await screenshot(page, 'gateways-offline');

    // Its traces are one click away.
    await card.getByRole('button', { name: 'Traces' }).click();
    await expect(page.getByTestId('traces-view')).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Gateway id' })).toHaveValue('hall-gw');
    expect(pageErrors).toEqual([]);
  } finally {
    await gw.kill();
    await broker.stop();
    rmSync(data, { recursive: true, force: true });
  }
});

/** The app with an installer key it can unlock (the gateway below trusts it), for signed requests. */
const signed = test.extend<{ webApp: WebApp }>({
  // eslint-disable-next-line no-empty-pattern
  webApp: async ({}, use) => {
    const app = await startWebApp({ FIELDGRAPH_SECRETS_PASSPHRASE: 'e2e-passphrase' });
    try {
      await use(app);
    } finally {
      await app.stop();
    }
  },
});

// A reading comes in and is logged; a cold reading takes a branch that fails at run time.
const temperature = (label: string) =>
  flow(
    'temp',
    [
      ['t', 'trigger.mqtt', { topic: 'site/temp' }],
      ['log', 'action.log', { message: `"${label} temp " + string(payload.t)` }],
      ['hot', 'logic.if', { condition: 'payload.t > 25' }],
      ['bad', 'logic.transform', { payload: 'payload.missing.x' }],
    ],
    [
      ['t', 'log'],
      ['log', 'hot'],
      ['hot', 'bad', 'false'],
    ],
  );

signed(
  'from the Gateways view: a deployed gateway’s package and flows, its debug output and failed runs, and rollback after confirming',
  async ({ page, pageErrors }) => {
    const deploy = new DeployPage(page);
    await deploy.open();
    const appKey = await deploy.publicKey();
    const broker = await startMosquitto();
    const root = mkdtempSync(join(tmpdir(), 'fg-e2e-gw-'));
    const gw = await spawnGateway([
      ...['--id', 'hall-gw', '--broker', broker.url, '--data', join(root, 'data')],
      ...['--trust', appKey, '--trust', toHex(installerKey.publicKey)],
    ]);
    const site = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    try {
      await gw.online();
      // Two versions installed, so there is one to roll back to.
      for (const version of [1, 2]) {
        const project = writeProject(join(root, `v${version}`), [temperature(`v${version}`)]);
        const { bytes } = buildPackage({
          packageId: 'hall',
          site: 'home',
          version,
          created: new Date(Date.now() - 60_000).toISOString(),
          expires: new Date(Date.now() + 86_400_000).toISOString(),
          target: { kind: 'gateway', id: 'hall-gw' },
          engine: `>=${appVersion} <99.0.0`,
          files: (await collectSiteFiles(project, 'home')).files,
          signingKey: installerKey,
        });
        const delivered = await mqttGatewayTarget({ url: broker.url }, 'hall-gw').deliver(bytes, {
          timeoutMs: 30_000,
        });
        expect(delivered.gateways[0], gw.output()).toMatchObject({ ok: true, running: version });
      }

      await page.locator('nav[aria-label="Main"] button[data-view="gateways"]').click();
      await page.getByRole('textbox', { name: 'Site broker' }).fill(broker.url);
      await page.getByRole('button', { name: 'Find gateways' }).click();
      const card = page.locator('[data-testid="gateway-card"][data-gateway="hall-gw"]');
      await expect(card.getByTestId('gateway-state')).toHaveText('Online');
      await expect(card.getByTestId('gateway-package')).toHaveText('hall v2');
      await expect(card.getByTestId('gateway-flows')).toContainText('1 running');
      await expect(card.getByTestId('gateway-flows')).toContainText('(temp)');
      await expect(card.getByTestId('gateway-last-deploy')).toContainText('✓ committed v2');

      // Its debug output: the Log line of a reading, as the gateway runs it.
      await card.getByRole('button', { name: 'Debug output' }).click();
      await expect(card.getByTestId('debug-panel')).toBeVisible();
      await expect(card.getByRole('button', { name: 'Hide debug output' })).toBeVisible();
      await expect
        .poll(
          async () => {
            await site.publishAsync('site/temp', JSON.stringify({ t: 19 }), { qos: 1 });
            return card.getByTestId('debug-line').allTextContents();
          },
          { timeout: 20_000, intervals: [1000] },
        )
        .toContainEqual(expect.stringContaining('v2 temp 19'));

      // The cold reading's run failed: it is among the recent failures, and its trace is one click away.
      await card.getByRole('button', { name: 'Recent failures' }).click();
      const failures = card.getByTestId('gateway-failures');
      await expect(failures.locator('li').first()).toContainText('temp');
      await expect(failures.locator('li').first().locator('.bad')).not.toBeEmpty();
      await screenshot(page, 'gateways-debug-failures');

      // Rollback asks first, and then the card shows the version the gateway went back to.
      await card.getByRole('button', { name: 'Roll back…' }).click();
      const dialog = page.getByTestId('confirm-rollback');
      await expect(dialog).toContainText('hall v2');
      await screenshot(page, 'gateways-confirm-rollback');
      await dialog.getByRole('button', { name: 'Roll back' }).click();
      await expect(card.getByTestId('gateway-note')).toHaveText(/^Rolled back: version 1 runs now\./);
      await expect(card.getByTestId('gateway-package')).toHaveText('hall v1');
      await expect(card.getByTestId('gateway-last-deploy')).toContainText('Rolled back from version 2 to 1');
      await expect(card.getByTestId('gateway-flows')).toContainText('1 running');
      await screenshot(page, 'gateways-rolled-back');

      // Nothing older is kept: a second rollback is refused with the reason.
      await card.getByRole('button', { name: 'Roll back…' }).click();
      await page.getByTestId('confirm-rollback').getByRole('button', { name: 'Roll back' }).click();
      await expect(card.getByTestId('gateway-note')).toContainText('no previous version');
      await expect(card.getByTestId('gateway-package')).toHaveText('hall v1');
      expect(pageErrors).toEqual([]);
    } finally {
      await site.endAsync(true);
      await gw.kill();
      await broker.stop();
      rmSync(root, { recursive: true, force: true });
    }
  },
);
