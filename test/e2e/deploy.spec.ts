/**
 * Deploy from the app to a real gateway process: the installer key is made on first use, the
 * gateway is found by its retained status, the preview lists the flow changes, the deployment
 * shows progress and lands in the history, and one click rolls the gateway back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, screenshot, startWebApp, test as base, type WebApp } from './fixtures';
import { DeployPage } from './pages/deploy';
import { freePort, installedOn, startDeployFixtures, type DeployFixtures } from './deploy-fixtures';

const test = base.extend<{ webApp: WebApp; site: DeployFixtures }>({
  // eslint-disable-next-line no-empty-pattern
  webApp: async ({}, use) => {
    // The installer key lives in the encrypted secrets file; scripts unlock it with this variable.
    const app = await startWebApp({ FIELDGRAPH_SECRETS_PASSPHRASE: 'e2e-passphrase' });
    try {
      await use(app);
    } finally {
      await app.stop();
    }
  },
  // eslint-disable-next-line no-empty-pattern
  site: async ({}, use) => {
    const fixtures = await startDeployFixtures();
    try {
      await use(fixtures);
    } finally {
      await fixtures.stop();
    }
  },
});

test('deploy a site to a gateway, see the changes, the progress and the history, then roll back', async ({
  page,
  site,
  pageErrors,
}) => {
  const deploy = new DeployPage(page);
  await deploy.open();
  const fingerprint = await deploy.fingerprint();
  expect(fingerprint).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/);

  const gateway = await site.startGateway('e2e-gw', await deploy.publicKey());
  await deploy.project.fill(site.projectDir);
  await expect(deploy.site).toHaveValue('home');
  await deploy.findGateways(site.brokerUrl);
  await expect(deploy.gateway('e2e-gw')).toContainText('online');
  await deploy.choose('e2e-gw');
  await deploy.preview();
  await expect(deploy.previews).toContainText('+ hello');
  await deploy.deploy();
  await expect(deploy.result).toContainText(': delivered everywhere');
  await expect(deploy.view.getByTestId('deploy-steps')).toContainText('committed');
  await expect(deploy.history.locator('tbody tr')).toHaveCount(1);
  await screenshot(page, 'deploy-first');

  writeFileSync(join(site.projectDir, 'flows', 'hello.json'), JSON.stringify(site.helloFlow('second')));
  await deploy.preview();
  await expect(deploy.previews).toContainText('~ hello');
  await deploy.deploy();
  await expect(deploy.history.locator('tbody tr')).toHaveCount(2);
  await expect(deploy.gateway('e2e-gw').getByRole('button', { name: /Roll back to \d+/ })).toBeEnabled();
  await screenshot(page, 'deploy-second');

  const before = await installedOn(site.brokerUrl, 'e2e-gw');
  await deploy.rollback('e2e-gw');
  await expect
    .poll(async () => (await installedOn(site.brokerUrl, 'e2e-gw')).committed)
    .toBe(before.previous[0]);
  await expect(deploy.gateway('e2e-gw').locator('td').nth(3)).toHaveText(String(before.previous[0]));
  // The rollback is in the history and the result says what runs now, not the older delivery.
  await expect(deploy.history.locator('tbody tr')).toHaveCount(3);
  await expect(deploy.history.locator('tbody tr').first()).toContainText('rollback');
  await expect(deploy.result).toContainText(`Rolled back: now running version ${before.previous[0]}`);
  await screenshot(page, 'deploy-rolled-back');
  expect(gateway.output()).not.toContain('Error');
  expect(pageErrors).toEqual([]);
});

test('deploy over HTTP with a token kept in the secret store: progress, result, history; a wrong token is refused', async ({
  page,
  site,
  webApp,
  pageErrors,
}) => {
  const TOKEN = 'e2e-http-token-93f1c2';
  const deploy = new DeployPage(page);
  await deploy.open();
  const port = await freePort();
  const httpUrl = `http://127.0.0.1:${port}`;
  const gateway = await site.startGateway('e2e-http', await deploy.publicKey(), { port, token: TOKEN });
  await deploy.project.fill(site.projectDir);
  await expect(deploy.site).toHaveValue('home');

  // No broker: the gateway is found at its typed HTTP address only.
  await deploy.findOverHttp(httpUrl);
  const row = deploy.gateway('e2e-http');
  await expect(row.getByTestId('found-by')).toHaveText('HTTP address');
  await expect(row).toContainText(httpUrl);
  await expect(row.getByTestId('deploy-route')).toContainText('HTTP');
  await expect(row).toContainText('store its token first');
  await deploy.storeToken('e2e-http', TOKEN);
  await expect(deploy.view.getByTestId('deploy-notice')).toContainText('gateway/e2e-http/http-token');
  await screenshot(page, 'deploy-http-token-stored');

  await deploy.choose('e2e-http');
  await deploy.preview();
  await expect(deploy.previews).toContainText('+ hello');
  await deploy.deploy();
  await expect(deploy.result).toContainText(': delivered everywhere');
  await expect(deploy.result).toContainText(`gateway e2e-http via ${httpUrl}/v1/packages: ok`);
  const steps = deploy.view.getByTestId('deploy-steps');
  await expect(steps).toContainText('e2e-http: connecting');
  await expect(steps).toContainText('e2e-http: committed');
  await expect(deploy.history.locator('tbody tr')).toHaveCount(1);
  await expect(deploy.history.locator('tbody tr').first()).toContainText(`gateway e2e-http via ${httpUrl}`);
  await expect(row.locator('td').nth(3)).toHaveText(/^\d+$/);
  const running = Number(await row.locator('td').nth(3).textContent());
  await expect(row.getByTestId('rollback-note')).toContainText('over the site broker');
  await screenshot(page, 'deploy-http-done');

  // A wrong token: the gateway refuses it, the view names the reference to fix, nothing changes.
  writeFileSync(join(site.projectDir, 'flows', 'hello.json'), JSON.stringify(site.helloFlow('second')));
  await deploy.replaceToken('e2e-http', 'not-the-token');
  await deploy.deploy();
  await expect(deploy.result).toContainText('not delivered everywhere');
  await expect(deploy.result).toContainText('refused the deploy token');
  await expect(deploy.result).toContainText('"gateway/e2e-http/http-token"');
  await expect(deploy.history.locator('tbody tr')).toHaveCount(2);
  await expect(row.locator('td').nth(3)).toHaveText(String(running));
  await screenshot(page, 'deploy-http-wrong-token');

  // The right token again, then the same gateway through its broker too: rollback goes over MQTT.
  await deploy.replaceToken('e2e-http', TOKEN);
  await deploy.preview();
  await expect(deploy.previews).toContainText('~ hello');
  await deploy.deploy();
  await expect(deploy.result).toContainText(': delivered everywhere');
  await deploy.findGateways(site.brokerUrl);
  await expect(row.getByTestId('found-by')).toHaveText('MQTT status + HTTP address');
  await expect(row.getByRole('button', { name: `Roll back to ${running}` })).toBeEnabled();
  await deploy.rollback('e2e-http');
  await expect(row.locator('td').nth(3)).toHaveText(String(running));
  await screenshot(page, 'deploy-http-rolled-back');

  // The token went one way: into the secret store, never back to the page or into the logs.
  expect(await page.content()).not.toContain(TOKEN);
  expect(webApp.output()).not.toContain(TOKEN);
  expect(gateway.output()).not.toContain(TOKEN);
  expect(pageErrors).toEqual([]);
});

test('pairing pins the gateway identity; a replaced gateway shows both fingerprints and is re-paired only on purpose', async ({
  page,
  site,
  pageErrors,
}) => {
  const deploy = new DeployPage(page);
  await deploy.open();
  const publicKey = await deploy.publicKey();
  const identityOf = (output: string) => /identity ([0-9a-f:]{39})/.exec(output)?.[1] ?? 'none';
  const first = await site.startGateway('e2e-pair', publicKey);
  await deploy.findGateways(site.brokerUrl);
  await expect(deploy.identity('e2e-pair')).toHaveText(`not paired ${identityOf(first.output())}`);
  await deploy.pair('e2e-pair');
  await expect(deploy.identity('e2e-pair')).toHaveText(`paired ${identityOf(first.output())}`);
  await expect(deploy.view.getByTestId('deploy-notice')).toContainText(identityOf(first.output()));

  // The gateway is replaced: same id, new identity. The view says so with both fingerprints.
  first.child.kill('SIGTERM');
  await first.exited;
  const second = await site.startGateway('e2e-pair', publicKey, undefined, 'e2e-pair-replaced');
  expect(identityOf(second.output())).not.toBe(identityOf(first.output()));
  await deploy.findGateways(site.brokerUrl);
  const changed = deploy.identity('e2e-pair');
  await expect(changed).toContainText('Identity changed');
  await expect(changed).toContainText(identityOf(first.output()));
  await expect(changed).toContainText(identityOf(second.output()));
  await screenshot(page, 'deploy-identity-changed');
  // Pair (without re-pair) does not move the pin.
  await deploy.pair('e2e-pair');
  await expect(deploy.view.getByRole('alert').filter({ hasText: 'answers with identity' })).toBeVisible();
  await expect(changed).toContainText('Identity changed');
  await changed.getByRole('button', { name: 'Re-pair' }).click();
  await expect(deploy.identity('e2e-pair')).toHaveText(`paired ${identityOf(second.output())}`);
  expect(pageErrors).toEqual([]);
});
