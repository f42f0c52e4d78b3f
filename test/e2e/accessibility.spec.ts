import { screenshot, test, expect } from './fixtures';
import { axeReport, watchConsole } from './quality';

test('every view passes axe in the light and the dark theme, with a clean console; one theme for all', async ({
  page,
}) => {
  test.setTimeout(480_000);
  const console = watchConsole(page);
  const reports: string[] = [];
  await page.reload();
  await page.waitForSelector('nav[aria-label="Main"]');
  // The demo site fills the Devices view and the Commission wizard with something to check.
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('device-row').first()).toBeVisible({ timeout: 20_000 });
  // Every view in the side bar, as many as there are.
  const views = await page
    .locator('nav[aria-label="Main"] [data-view]')
    .evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.view!));
  expect(views.length).toBeGreaterThanOrEqual(6);
  for (const mode of ['light', 'dark'] as const) {
    if ((await page.locator('html').getAttribute('data-theme')) !== mode)
      await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', mode);
    for (const view of views) {
      await page.locator(`nav[aria-label="Main"] [data-view="${view}"]`).click();
      await expect(page.locator(`nav [data-view="${view}"]`)).toHaveAttribute('aria-current', 'page');
      await page.waitForTimeout(400);
      // The whole window, not only the Flows view, takes the theme.
      const background = await page.evaluate(
        () => getComputedStyle(document.documentElement).backgroundColor,
      );
      expect(background, `${view} in ${mode}`).toBe(
        mode === 'dark' ? 'rgb(18, 22, 29)' : 'rgb(246, 247, 249)',
      );
      await screenshot(page, `view-${view}-${mode}`);
      const report = await axeReport(page);
      if (report) reports.push(`${view} (${mode}):\n${report}`);
    }
  }
  expect(reports.join('\n'), 'axe found serious or critical problems').toBe('');
  expect(console.problems).toEqual([]);
});
