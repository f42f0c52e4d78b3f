import { readFileSync } from 'node:fs';
import { expect, screenshot, test } from './fixtures';
import { StartPage } from './pages/start';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

test('the start page loads through the token, shows its actions and the version read over the API', async ({
  page,
  pageErrors,
}) => {
  const start = new StartPage(page);
  await expect(page).toHaveTitle('Fieldgraph');
  // The token was traded for a cookie and removed from the address bar.
  expect(page.url()).not.toContain('token=');
  await expect(start.newProject).toBeVisible();
  await expect(start.openProject).toBeVisible();
  await expect(start.openDemo).toBeVisible();
  await expect(start.recentTitle).toBeVisible();
  await screenshot(page, 'start-page');

  expect(await start.aboutVersion()).toBe(version);
  await screenshot(page, 'start-page-about');
  expect(pageErrors).toEqual([]);
});

test('without the token the server answers 401 and gives no page', async ({ browser, webApp }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(webApp.origin + '/');
  expect(response?.status()).toBe(401);
  expect(await page.content()).toContain('api.unauthorized');
  await context.close();
});

test('a reload keeps the session through the cookie and the API still answers', async ({ page }) => {
  // The token is gone from the address; the HttpOnly cookie carries the session.
  await page.reload();
  await page.waitForSelector('nav[aria-label="Main"]');
  await expect(page.getByTestId('footer-version')).toHaveText(`v${version}`);
});
