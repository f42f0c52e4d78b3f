import { startVirtualImprovDevice } from '../../shared/node/sim/improv-device';
import { startVirtualTasmotaConsole } from '../../shared/node/sim/tasmota-console';
import { createPtyPair } from '../helpers/pty';
import { expect, screenshot, test } from './fixtures';
import { CommissionPage } from './pages/commission';

test('the wizard commissions two devices on ptys, shows a failure reason, retries, and offers the report', async ({
  page,
  pageErrors,
}) => {
  const good = await createPtyPair('good');
  const bad = await createPtyPair('bad');
  const device = await startVirtualImprovDevice(good.devicePath, {
    firmware: 'ESPHome',
    version: '2025.6.2',
    chip: 'ESP32-C3',
    deviceName: 'hall-light',
    url: 'http://127.0.0.1/hall',
    logIntervalMs: 50,
  });
  // The second device only knows another password: it fails until the retry below.
  const picky = await startVirtualImprovDevice(bad.devicePath, {
    credentials: { SiteNet: 'porch-secret-77' },
    deviceName: 'porch',
  });
  try {
    const ui = new CommissionPage(page);
    await ui.open();
    await ui.pickSerialPath(good.hostPath, 'Hall light', 'hall');
    await ui.pickSerialPath(bad.hostPath, 'Porch light', 'porch');
    expect(await ui.probe(good.hostPath)).toContain('ESPHome 2025.6.2 on ESP32-C3');
    // The naming scheme names both devices per room; the first keeps its typed room.
    await page.getByTestId('naming-scheme').fill('{room}-{model}-{n}');
    await page.getByTestId('apply-scheme').click();
    await expect(page.getByTestId('device-name').first()).toHaveValue('hall-ESPHome-1');
    await expect(page.getByTestId('device-name').nth(1)).toHaveValue('porch-serial-1');
    await screenshot(page, 'commission-pick');
    await ui.fillProfile({ site: 'Depot', installer: 'Ana', ssid: 'SiteNet', password: 'correct horse' });
    await screenshot(page, 'commission-profile');
    await ui.start();

    await expect(ui.runSummary).toHaveText(/Finished: 1 of 2 provisioned/, { timeout: 20_000 });
    await expect(ui.job(good.hostPath).getByTestId('job-status')).toContainText('provisioned');
    await expect(ui.job(good.hostPath)).toContainText('http://127.0.0.1/hall');
    await expect(ui.job(good.hostPath)).toContainText('hall-ESPHome-1');
    await expect(ui.job(bad.hostPath).getByTestId('job-reason')).toContainText('could not join "SiteNet"');
    await screenshot(page, 'commission-results');
    expect(device.joinedSsid).toBe('SiteNet');
    // The password typed in the wizard is not left in the page.
    expect(await page.content()).not.toContain('correct horse');

    const download = page.waitForEvent('download');
    await page.getByTestId('report-pdf').click();
    expect((await download).suggestedFilename()).toMatch(/^commissioning-Depot-.*\.pdf$/);

    // A rejected password is asked again rather than resent; the one typed now is the one used.
    const rejected = ui.job(bad.hostPath);
    await expect(rejected.getByTestId('retry')).toBeDisabled();
    await rejected.getByTestId('retry-password').fill('porch-secret-77');
    await rejected.getByTestId('retry').click();
    await expect(rejected.getByTestId('job-status')).toContainText('provisioned', { timeout: 20_000 });
    expect(picky.joinedSsid).toBe('SiteNet');
    expect(await page.content()).not.toContain('porch-secret-77');
    expect(pageErrors).toEqual([]);
  } finally {
    await device.close();
    await picky.close();
    await good.close();
    await bad.close();
  }
});

test('the serial console opens a port at a chosen baud, sends a line and shows the output as text', async ({
  page,
}) => {
  const pty = await createPtyPair('con');
  const tasmota = await startVirtualTasmotaConsole(pty.devicePath, {
    serialLog: 2,
    version: '<b>14.1.0</b>',
  });
  try {
    const ui = new CommissionPage(page);
    await ui.open();
    await page.getByTestId('tab-console').click();
    await page.getByTestId('console-port').fill(pty.hostPath);
    await page.getByTestId('console-baud').selectOption('115200');
    await page.getByTestId('console-open').click();
    await expect(page.getByTestId('console-status')).toContainText('Open');
    await page.getByTestId('console-line').fill('Status 0');
    await page.getByTestId('console-send').click();
    await expect(ui.consoleOutput).toContainText('StatusFWR');
    // Device text is shown as text: the markup arrives literally, no <b> element is created.
    await expect(ui.consoleOutput).toContainText('<b>14.1.0</b>');
    expect(await ui.consoleOutput.locator('b').count()).toBe(0);
    await screenshot(page, 'commission-console');
    await pty.close();
    await expect(page.getByTestId('console-status')).toContainText('disconnected');
  } finally {
    await tasmota.close();
    await pty.close().catch(() => {});
  }
});
