import mqtt from 'mqtt';
import { startMosquitto } from '../helpers/mosquitto';
import { expect, screenshot, test } from './fixtures';
import { DevicesPage } from './pages/devices';
import { StartPage } from './pages/start';

test('"Open demo site" starts the virtual site and the Devices view lists it, matched, with details', async ({
  page,
  pageErrors,
}) => {
  await new StartPage(page).openDemo.click();
  const devices = new DevicesPage(page);
  await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
  for (const name of [
    'Demo relay',
    'Demo sensor',
    'Demo Homie light',
    'demo-gateway',
    'shellyplus1pm-demo01',
  ]) {
    await expect(devices.row(name)).toBeVisible({ timeout: 15_000 });
  }
  await expect(devices.row('Demo relay')).toContainText('Tasmota device');
  await expect(devices.status).toContainText('broker mqtt://127.0.0.1:');
  await screenshot(page, 'devices-demo');

  await devices.row('Demo sensor').click();
  await expect(devices.drawer.getByTestId('drawer-model')).toContainText('esphome-device');
  await expect(devices.drawer).toContainText('Because');
  // What it announced, entity by entity: each bound to a capability at its own state topic.
  const entities = devices.drawer.getByTestId('drawer-entities');
  await expect(entities.getByTestId('understanding')).toHaveText('All 3 entities understood.');
  await expect(entities.locator('[data-entity="sensor_temperature"]')).toContainText('temperature@1');
  await expect(entities.locator('[data-entity="sensor_temperature"]')).toContainText(
    'demo-sensor/sensor/temperature/state',
  );
  await expect(entities.locator('[data-entity="binary_sensor_motion"]')).toContainText('motion@1');
  // The raw sighting is ESPHome's own announcement of the node.
  await expect(devices.drawer.getByTestId('raw').first()).toContainText('"version": "2025.7.0"');
  await screenshot(page, 'devices-drawer');

  // The demo's serial side: probing the relay's console merges it into the relay seen on MQTT.
  await devices.rows
    .filter({ has: page.getByTestId('device-name').filter({ hasText: /\/demo_relay$/ }) })
    .click();
  await devices.drawer.getByRole('button', { name: 'Probe port' }).click();
  await expect(devices.drawer.getByRole('status')).toHaveText(/Found a Tasmota console/, { timeout: 20_000 });
  await expect(devices.row('Demo relay')).toContainText('usb');

  await devices.search.fill('homie');
  await expect(devices.rows).toHaveCount(1);
  expect(pageErrors).toEqual([]);
});

test('a device named with HTML is shown literally and nothing executes', async ({ page, pageErrors }) => {
  const broker = await startMosquitto();
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    await client.publishAsync(
      'homeassistant/switch/evil/config',
      JSON.stringify({
        name: 'x',
        uniq_id: 'evil',
        cmd_t: 'evil/set',
        dev: { ids: ['evil'], name: hostile },
      }),
      { retain: true },
    );
    const devices = new DevicesPage(page);
    await devices.open();
    await devices.discoverBrokerOnly(broker.url);
    const row = devices.row(hostile);
    await expect(row).toBeVisible({ timeout: 10_000 });
    await expect(row.getByTestId('device-name')).toHaveText(hostile);
    await row.click();
    await expect(devices.drawer.getByTestId('drawer-name')).toHaveText(hostile);
    expect(await page.locator('main img, aside img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(page, 'devices-hostile-name');
    expect(pageErrors).toEqual([]);
  } finally {
    await client.endAsync(true);
    await broker.stop();
  }
});

test('300 devices arrive in batches; an update re-renders one row, not the list', async ({
  page,
  pageErrors,
}) => {
  const broker = await startMosquitto();
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    for (let i = 0; i < 300; i++) {
      const id = `node-${String(i).padStart(3, '0')}`;
      client.publish(
        `homeassistant/sensor/${id}/t/config`,
        JSON.stringify({
          name: 'T',
          uniq_id: id,
          stat_t: `${id}/t`,
          avty_t: `${id}/status`,
          dev: { ids: [id], name: `Node ${i}` },
        }),
        { retain: true },
      );
    }
    await client.publishAsync('node-000/status', 'online', { retain: true, qos: 1 });
    const devices = new DevicesPage(page);
    await devices.open();
    await devices.discoverBrokerOnly(broker.url);
    await expect(page.getByTestId('device-count')).toHaveText('300 of 300', { timeout: 15_000 });
    const watched = await devices.row('Node 299').elementHandle();
    await expect(devices.row('Node 0').locator('.dot')).toHaveClass(/online/);
    await client.publishAsync('node-000/status', 'offline', { retain: true, qos: 1 });
    await expect(devices.row('Node 0').locator('.dot')).toHaveClass(/offline/);
    // The untouched row is the very same DOM node: nothing was torn down and rebuilt.
    expect(await watched!.evaluate((el) => el.isConnected)).toBe(true);
    await screenshot(page, 'devices-300');
    expect(pageErrors).toEqual([]);
  } finally {
    await client.endAsync(true);
    await broker.stop();
  }
});

test('the Devices view leads to the commissioning wizard', async ({ page }) => {
  const devices = new DevicesPage(page);
  await devices.open();
  await page.getByRole('button', { name: 'Commission devices…' }).click();
  await expect(page.getByRole('heading', { name: 'Commission', exact: true })).toBeVisible();
  await expect(page.locator('nav[aria-label="Main"] button[data-view="commission"]')).toHaveAttribute(
    'aria-current',
    'page',
  );
});
