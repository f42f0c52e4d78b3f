/**
 * Deploy from the app to a real gateway process: the installer key is made on first use, the
 * gateway is found by its retained status, the preview lists the flow changes, the deployment
 * shows progress and lands in the history, and one click rolls the gateway back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, screenshot, startWebApp, test as base, type WebApp } from './fixtures';
import { DeployPage } from './pages/deploy';
import { callGatewayFromTest, startDeployFixtures, type DeployFixtures } from './deploy-fixtures';

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
  await expect(deploy.result).toContainText('delivered everywhere');
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

  const before = (await callGatewayFromTest(site.brokerUrl, 'e2e-gw', 'installed')) as {
    committed: number;
    previous: number[];
  };
  await deploy.rollback('e2e-gw');
  await expect
    .poll(
      async () =>
        ((await callGatewayFromTest(site.brokerUrl, 'e2e-gw', 'installed')) as { committed: number })
          .committed,
    )
    .toBe(before.previous[0]);
  await expect(deploy.gateway('e2e-gw').locator('td').nth(3)).toHaveText(String(before.previous[0]));
  await screenshot(page, 'deploy-rolled-back');
  expect(gateway.output()).not.toContain('Error');
  expect(pageErrors).toEqual([]);
});
