import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from '../helpers/mosquitto';
import { spawnGateway } from '../integration/gateway/process';
import { expect, screenshot, test } from './fixtures';

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
