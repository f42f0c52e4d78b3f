import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { expect, screenshot, test } from './fixtures';
import { DevicePage } from './pages/device';
import { DevicesPage } from './pages/devices';
import { StartPage } from './pages/start';

test('the relay toggled from its device page switches the virtual relay and its state comes back; availability history; a level set; Commission this device carries the probe result', async ({
  page,
  pageErrors,
}) => {
  await new StartPage(page).openDemo.click();
  const devices = new DevicesPage(page);
  await expect(devices.row('Demo relay')).toContainText('Tasmota', { timeout: 20_000 });
  const brokerUrl = /broker (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(
    (await devices.status.textContent()) ?? '',
  )?.[1];
  expect(brokerUrl).toBeTruthy();
  // An independent client on the demo's broker sees what the relay itself reports.
  const observer = await mqtt.connectAsync(brokerUrl!, { protocolVersion: 4 });
  const reported: string[] = [];
  observer.on('message', (_topic, payload) => reported.push(payload.toString()));
  await observer.subscribeAsync('stat/demo_relay/POWER', { qos: 1 });
  try {
    await devices.row('Demo relay').click();
    await devices.drawer.getByRole('button', { name: 'Open device page' }).click();
    const device = new DevicePage(page);
    await expect(device.name).toHaveText('Demo relay');
    await expect(device.model).toContainText('tasmota-');
    await expect(device.state).toHaveText('Online');
    await expect(page.locator('nav[aria-label="Main"] button[data-view="devices"]')).toHaveAttribute(
      'aria-current',
      'page',
    );
    const power = device.feature('switch@1').getByRole('switch');
    await expect(power).toBeVisible({ timeout: 15_000 });
    const before = (await power.getAttribute('aria-checked')) === 'true';
    await power.click();
    // The relay answered on stat/demo_relay/POWER, and the page shows the state it reported.
    await expect.poll(() => reported.at(-1)).toBe(before ? 'OFF' : 'ON');
    await expect(device.value('switch@1', 'on')).toHaveText(before ? 'off' : 'on');
    await expect(power).toHaveAttribute('aria-checked', before ? 'false' : 'true');
    await screenshot(page, 'device-page-relay');
    await device.feature('switch@1').getByRole('button', { name: 'Toggle' }).click();
    await expect.poll(() => reported.at(-1)).toBe(before ? 'ON' : 'OFF');
    await expect(device.value('switch@1', 'on')).toHaveText(before ? 'on' : 'off');
    await expect(page.getByTestId('availability-history')).toContainText('online');

    // Its Last Will says Offline: the page and its availability history follow, and back.
    const history = page.getByTestId('availability-history').locator('li');
    await observer.publishAsync('tele/demo_relay/LWT', 'Offline', { retain: true, qos: 1 });
    await expect(device.state).toHaveText('Offline');
    await expect(history.first()).toContainText('offline since');
    await observer.publishAsync('tele/demo_relay/LWT', 'Online', { retain: true, qos: 1 });
    await expect(device.state).toHaveText('Online');
    await expect(history.first()).toContainText('online since');
    await expect(history.nth(1)).toContainText('offline since');
    await screenshot(page, 'device-page-availability');

    // The sensor: values read through its Home Assistant entities, last seen kept current.
    await page.getByRole('button', { name: '← Devices' }).click();
    await devices.row('Demo sensor').click();
    await devices.drawer.getByRole('button', { name: 'Open device page' }).click();
    await expect(device.name).toHaveText('Demo sensor');
    await expect(
      device.root.locator('[data-testid="property"][data-name="temperature"] [data-testid="value"]'),
    ).toHaveText(/\d+(\.\d+)? °C/, { timeout: 15_000 });
    await expect(device.lastSeen).toHaveText(/last seen \d s ago/);
    await screenshot(page, 'device-page-sensor');

    // The Homie light: its level set from the page reaches the light, which reports it back.
    const levels: string[] = [];
    observer.on(
      'message',
      (topic, payload) => topic === 'homie/demo-homie/light/brightness' && levels.push(payload.toString()),
    );
    await observer.subscribeAsync('homie/demo-homie/light/brightness', { qos: 1 });
    await page.getByRole('button', { name: '← Devices' }).click();
    await devices.row('Demo Homie light').click();
    await devices.drawer.getByRole('button', { name: 'Open device page' }).click();
    await expect(device.name).toHaveText('Demo Homie light');
    const dimmer = device.feature('dimmer@1');
    await dimmer.getByRole('slider', { name: 'Brightness level' }).fill('30');
    await dimmer.getByRole('button', { name: 'Set 30' }).click();
    await expect.poll(() => levels.at(-1)).toBe('30');
    await expect(device.value('dimmer@1', 'brightness')).toHaveText('30 %');
    await screenshot(page, 'device-page-dimmer');

    // A zigbee2mqtt bridge on the same broker lists an IKEA bulb that exposes identify (the field
    // fixture): its page offers Identify, and pressing it sends zigbee2mqtt's command to its set topic.
    const bridge = JSON.parse(
      readFileSync('test/fixtures/field/zigbee2mqtt/z2m2-ikea-bulb-identify.json', 'utf8'),
    ) as { messages: { topic: string; payload: unknown }[] };
    const identified: string[] = [];
    observer.on(
      'message',
      (topic, payload) => topic === 'zigbee2mqtt/Hall lamp/set' && identified.push(payload.toString()),
    );
    await observer.subscribeAsync('zigbee2mqtt/Hall lamp/set', { qos: 1 });
    for (const m of bridge.messages)
      await observer.publishAsync(m.topic, JSON.stringify(m.payload), { retain: true, qos: 1 });
    await page.getByRole('button', { name: '← Devices' }).click();
    await devices.row('Hall lamp').click();
    await devices.drawer.getByRole('button', { name: 'Open device page' }).click();
    await expect(device.name).toHaveText('Hall lamp');
    await expect(device.feature('identify@1')).toBeVisible({ timeout: 15_000 });
    await device.root.locator('header').getByRole('button', { name: 'Identify' }).click();
    await expect
      .poll(() => identified.map((p) => JSON.parse(p) as unknown))
      .toEqual([{ identify: 'identify' }]);
    await expect(device.root.getByRole('alert')).toHaveCount(0);
    await screenshot(page, 'device-page-identify');

    // The sensor's serial port: Commission this device hands the port and what probing it found to the wizard.
    await page.getByRole('button', { name: '← Devices' }).click();
    await devices.rows.filter({ has: page.getByTestId('device-name').getByText(/\/demo-sensor$/) }).click();
    await devices.drawer.getByRole('button', { name: 'Open device page' }).click();
    await expect(device.name).toHaveText(/\/demo-sensor$/);
    await device.root.getByRole('button', { name: 'Commission this device' }).click();
    const picked = page.getByTestId('picked-device');
    await expect(picked).toHaveCount(1);
    await expect(picked).toContainText('demo-sensor');
    await expect(picked.getByTestId('probe-result')).toContainText('ESPHome');
    await expect(picked.getByTestId('device-name')).toHaveValue('');
    // and its port is listed under Serial ports, ticked
    await expect(
      page.locator('ul.ports li', { hasText: 'demo-sensor' }).getByTestId('pick-port'),
    ).toBeChecked();
    await screenshot(page, 'device-page-commission-handoff');
    expect(pageErrors).toEqual([]);
  } finally {
    await observer.endAsync(true);
  }
});
