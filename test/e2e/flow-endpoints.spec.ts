import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { LivePage } from './pages/live';

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
  await expect(page.getByTestId('try-it-no-http')).toHaveText('HTTP endpoints are not served in Try it');
  await screenshot(page, 'flow-endpoint-try-it');
  expect(pageErrors).toEqual([]);
});
