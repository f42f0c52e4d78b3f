/**
 * The site's gateway HTTP token set in the app: generated (shown once, copied), kept in the
 * secret store with only its reference in the site file, sealed into the package on deploy so a
 * real gateway's flow endpoint answers it; then replaced by a typed token (a weak one is refused
 * with the fix) and removed. The token never reaches the site file, the page after it is
 * copied, or anyone's output.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import { createEncryptedFileSecretStore } from '../../shared/node/secrets';
import { flow, writeProject } from '../integration/gateway/fixtures';
import { expect, screenshot, startWebApp, test as base, type WebApp } from './fixtures';
import { freePort, startDeployFixtures, type DeployFixtures } from './deploy-fixtures';
import { DeployPage } from './pages/deploy';
import { ProjectUi } from './pages/project';

const PASSPHRASE = 'e2e-passphrase';
const REF = 'site/home/http';
const TYPED = 'Rotated_e2e-Token.4417';

const test = base.extend<{ webApp: WebApp; site: DeployFixtures }>({
  // eslint-disable-next-line no-empty-pattern
  webApp: async ({}, use) => {
    const app = await startWebApp({ FIELDGRAPH_SECRETS_PASSPHRASE: PASSPHRASE });
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

/** A GET endpoint that asks for the site's token (the default) and answers "pong". */
const ping = flow(
  'ping',
  [
    ['in', 'trigger.http', { method: 'GET', path: '/ping' }],
    ['reply', 'action.http-response', { body: '"pong"' }],
  ],
  [['in', 'reply']],
);

/** True when `secret` is in any file under `dir`, as text or as hex of that text. */
const inClearUnder = (dir: string, secret: string): boolean =>
  readdirSync(dir).some((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return inClearUnder(path, secret);
    const bytes = readFileSync(path);
    return bytes.includes(secret) || bytes.includes(Buffer.from(secret).toString('hex'));
  });

const siteFile = (projectDir: string) => readFileSync(join(projectDir, 'sites', 'home.json'), 'utf8');

/** Saves the project (Ctrl+S) and waits until the Deploy view no longer says it has unsaved changes. */
const save = async (page: Page) => {
  const unsaved = page.getByTestId('deploy-view').getByText('The project has unsaved changes');
  await expect(unsaved).toBeVisible();
  await page.keyboard.press('Control+s');
  await expect(unsaved).toHaveCount(0);
};

test('the site’s gateway HTTP token is set in the Deploy view, sealed into the package, answered by the gateway’s endpoint, replaced and removed', async ({
  page,
  context,
  webApp,
  site,
  pageErrors,
}) => {
  test.setTimeout(180_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  writeProject(site.projectDir, [ping]);
  await new ProjectUi(page).openByPath(site.projectDir);
  await expect(page.getByTestId('project-name')).toHaveText('Test');

  const deploy = new DeployPage(page);
  await deploy.open();
  await expect(deploy.project).toHaveValue(site.projectDir);
  await expect(deploy.site).toHaveValue('home');
  const part = deploy.view.getByTestId('site-http-token');
  await expect(part).toContainText('Authorization: Bearer <token>');
  await expect(part.getByTestId('token-state')).toHaveText(
    'Not set: endpoints that ask for the token, and the panel, answer 503 until the site has one.',
  );

  // A weak typed token is refused, naming the problem and the fix; nothing is stored.
  const field = part.getByLabel('Token', { exact: true });
  await field.fill('short token');
  await part.getByRole('button', { name: 'Set token' }).click();
  await expect(part.getByRole('alert')).toHaveText(
    'The token has a space at character 6. A Bearer token is one word: remove it, or generate one.',
  );
  await field.fill('shorttoken');
  await expect(part.getByRole('alert')).toContainText('has 10 characters; it needs at least 16');
  await screenshot(page, 'site-http-token-refused');

  // Generated: shown once, copied with the Copy button, then gone from the page.
  await field.fill('');
  await part.getByRole('button', { name: 'Generate one' }).click();
  const value = part.getByTestId('token-value');
  await expect(value).toHaveText(/^[A-Za-z0-9_-]{43}$/);
  const token = (await value.textContent())!;
  await part.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(part.getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await screenshot(page, 'site-http-token-shown');
  await part.getByRole('button', { name: 'I have copied it' }).click();
  await expect(part.getByTestId('token-shown')).toHaveCount(0);
  await expect(part.getByTestId('token-state')).toHaveText(
    `Set: the site file names ${REF}, and the secret store holds its value (never shown).`,
  );
  await expect(part.getByRole('status')).toContainText(`Token stored as ${REF}; it is never shown again.`);
  expect(await page.content()).not.toContain(token);
  await screenshot(page, 'site-http-token-set');

  // The site file names the reference only; the app's secret store holds the value.
  await save(page);
  expect(JSON.parse(siteFile(site.projectDir)).http).toEqual({ token: { secret: REF } });
  expect(siteFile(site.projectDir)).not.toContain(token);
  // Read afresh each time: a store caches what it read.
  const store = () =>
    createEncryptedFileSecretStore({ path: join(webApp.dataDir, 'secrets.json'), passphrase: PASSPHRASE });
  expect(await store().get(REF)).toBe(token);
  // Stored beside the installer key the view made on opening, not over it.
  expect(await store().list()).toEqual(['fieldgraph/installer-signing-key', REF]);

  // Deployed to a real gateway with an HTTP port: the package carries the token sealed, and the
  // endpoint answers it.
  const port = await freePort();
  const gateway = await site.startGateway('e2e-token', await deploy.publicKey(), {
    port,
    token: 'deploy-token-e2e-0001',
  });
  await deploy.findGateways(site.brokerUrl);
  await deploy.pair('e2e-token');
  await expect(deploy.identity('e2e-token')).toHaveText(/^paired /);
  await deploy.choose('e2e-token');
  await deploy.deploy();
  await expect(deploy.result).toContainText(': delivered everywhere');
  const call = (bearer?: string) =>
    fetch(
      `http://127.0.0.1:${port}/flows/ping`,
      bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {},
    );
  await expect.poll(async () => (await call(token)).status, { timeout: 20_000 }).toBe(200);
  expect(await (await call(token)).text()).toBe('pong');
  expect((await call()).status).toBe(401);
  expect((await call(TYPED)).status).toBe(401);

  // Replaced by a typed token: stored under the same reference, the old one refused after the deploy.
  await part.getByLabel('New token').fill(TYPED);
  await part.getByRole('button', { name: 'Replace token' }).click();
  await expect(part.getByRole('status')).toContainText(`Token stored as ${REF}`);
  await expect(part.getByLabel('New token')).toHaveValue('');
  expect(await store().get(REF)).toBe(TYPED);
  await save(page);
  await deploy.deploy();
  await expect(deploy.history.locator('tbody tr')).toHaveCount(2);
  await expect.poll(async () => (await call(TYPED)).status, { timeout: 20_000 }).toBe(200);
  expect((await call(token)).status).toBe(401);

  // Removed, after confirming: the site file names none, the store forgets it, and the endpoint
  // says the gateway has no token once deployed.
  await part.getByRole('button', { name: 'Remove token' }).click();
  await page.getByTestId('ask-dialog').getByRole('button', { name: 'Remove token' }).click();
  await expect(part.getByTestId('token-state')).toContainText('Not set');
  await save(page);
  expect(JSON.parse(siteFile(site.projectDir))).not.toHaveProperty('http');
  expect(await store().list()).not.toContain(REF);
  await deploy.deploy();
  await expect(deploy.history.locator('tbody tr')).toHaveCount(3);
  await expect.poll(async () => (await call(TYPED)).status, { timeout: 20_000 }).toBe(503);

  // Neither token reached the project, the gateway's files (its packages) in clear, the page or any output.
  const gatewayData = join(dirname(site.projectDir), 'e2e-token');
  expect(readdirSync(gatewayData).length).toBeGreaterThan(0);
  for (const secret of [token, TYPED]) {
    expect(inClearUnder(site.projectDir, secret)).toBe(false);
    expect(inClearUnder(gatewayData, secret)).toBe(false);
    expect(await page.content()).not.toContain(secret);
    expect(webApp.output()).not.toContain(secret);
    expect(gateway.output()).not.toContain(secret);
  }
  expect(pageErrors).toEqual([]);
});
