import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { LivePage } from './pages/live';

/** The Flows toolbar's controls as laid out: name and box. */
const toolbarControls = (page: Page) =>
  page
    .locator('header.toolbar')
    .locator(':scope > button, :scope > .live-controls > *:not(.panel), :scope > .actions > *, .tab')
    .evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return {
          name: e.textContent?.trim() ?? '',
          top: r.top,
          bottom: r.bottom,
          right: r.right,
          width: r.width,
        };
      }),
    );

/** Every control of the Flows toolbar is whole: not squeezed to nothing, its words on one line, inside the window. */
const expectWholeToolbar = async (page: Page) => {
  const controls = await toolbarControls(page);
  expect(controls.length).toBeGreaterThan(10);
  for (const c of controls) {
    expect(c.width, c.name).toBeGreaterThan(8);
    // One line of 12–14 px text with its padding; words wrapped onto two lines make it over 40.
    expect(c.bottom - c.top, c.name).toBeLessThan(36);
    expect(c.right, c.name).toBeLessThanOrEqual(page.viewportSize()!.width);
  }
  return controls;
};

/** Every control of the Flows toolbar is whole and on one line with the Problems button. */
const expectOneLineToolbar = async (page: Page) => {
  const controls = await expectWholeToolbar(page);
  const problems = controls.find((c) => c.name.startsWith('Problems'))!;
  for (const c of controls) {
    expect(c.top, c.name).toBeLessThan(problems.bottom);
    expect(c.bottom, c.name).toBeGreaterThan(problems.top);
  }
};

test('an HTTP endpoint and an HTTP response are drawn from the palette and set in the inspector; the validator checks them', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await canvas.quickAdd({ x: 140, y: 160 }, 'trigger.http');
  await canvas.quickAdd({ x: 460, y: 160 }, 'action.http-response');
  const [endpoint, response] = await canvas.nodeIds();
  await expect(canvas.node(endpoint!)).toContainText('HTTP endpoint');
  await expect(canvas.node(response!)).toContainText('HTTP response');

  // A response no endpoint leads to has no request to answer.
  await expect(canvas.problems).toContainText('No HTTP endpoint trigger leads to this HTTP response');
  await canvas.connect([endpoint!, 'out'], [response!, 'in']);

  await canvas.select(endpoint!);
  await canvas.field('path').fill('/hooks/*');
  await expect(canvas.fieldError('path')).toContainText('wildcard or pattern');
  await canvas.field('path').fill('/hooks/door/:id');
  await expect(canvas.fieldError('path')).toHaveCount(0);
  await expect(canvas.field('method')).toHaveValue('POST');
  await expect(canvas.field('auth')).toHaveValue('token');
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
  await screenshot(page, 'flow-endpoint-inspector');

  // Open to the network: allowed, with a warning.
  await canvas.field('auth').selectOption('open');
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 1 warning');
  await expect(canvas.problems).toContainText(
    'anyone who reaches the gateway’s HTTP port can start this flow',
  );

  await canvas.select(response!);
  await canvas.field('status').fill('201');
  await canvas.field('body').fill('{"door": msg.req.params.id}');
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 1 warning');
  await screenshot(page, 'flow-endpoint-response-inspector');

  // Try it's gateway has no HTTP port: the toolbar says the endpoints are not served there.
  test.setTimeout(150_000);
  await page.getByTestId('start-demo').click();
  await expect(page.locator('[data-testid="palette"] [data-device="mac:b4e62d112233"]')).toBeEnabled({
    timeout: 30_000,
  });
  await new LivePage(page).tryIt();
  // The notice is one compact button (its label names every notice), so the toolbar keeps one
  // line at any width; the sentence opens below it.
  const notices = page.getByTestId('try-it-notices');
  await expect(notices).toHaveAccessibleName('1 Try it notice: HTTP endpoints are not served in Try it');
  await expectOneLineToolbar(page);
  await screenshot(page, 'flow-endpoint-try-it');
  await notices.click();
  const notice = page.getByTestId('try-it-no-http');
  await expect(notice.getByTestId('notice-title')).toHaveText('HTTP endpoints are not served in Try it');
  await expect(notice).toContainText('Deploy to a gateway started with --http to call them.');
  await screenshot(page, 'flow-endpoint-try-it-notice');
  await page.setViewportSize({ width: 1024, height: 700 });
  await expectOneLineToolbar(page);
  await screenshot(page, 'flow-endpoint-try-it-narrow');
  // The narrowest window the desktop app allows: the actions move whole to a second line.
  await page.setViewportSize({ width: 800, height: 600 });
  await expectWholeToolbar(page);
  await screenshot(page, 'flow-endpoint-try-it-narrowest');
  expect(pageErrors).toEqual([]);
});
