/**
 * A day on site, the README's four steps on the demo in one go, with the keyboard alone: the
 * Devices view opens the demo site and hands a probed serial port to the wizard; commissioning
 * offers the networks the devices hear, asks again after a wrong password and leaves one row per
 * device; the flow drawn before any project exists moves into the project Ctrl+S creates; the
 * Deploy view starts from the demo's broker, keeps its choices across visits and deploys, and
 * the virtual relay reacts. The console stays clean and every step passes axe.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { expect, screenshot, startWebApp, test as base, type WebApp } from './fixtures';
import { chooseOption, pressOn, typeInto } from './keyboard';
import { expectAccessible, watchConsole } from './quality';

const test = base.extend<{ webApp: WebApp }>({
  // eslint-disable-next-line no-empty-pattern
  webApp: async ({}, use, testInfo) => {
    // The installer key lives in the encrypted secrets file; scripts unlock it with this variable.
    const app = await startWebApp({ FIELDGRAPH_SECRETS_PASSPHRASE: 'e2e-passphrase' });
    try {
      await use(app);
    } finally {
      // What the server printed explains a failure the page only shows as a lost connection.
      if (testInfo.status !== testInfo.expectedStatus)
        await testInfo.attach('server output', { body: app.output(), contentType: 'text/plain' });
      await app.stop();
    }
  },
});

const DEMO_WIFI = { ssid: 'Fieldgraph-Demo', password: 'fieldgraph-demo' };

test('a day on site with the demo, keyboard only: devices, commissioning, a flow, a deployment', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const console = watchConsole(page);
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-day-'));
  const folder = join(work, 'corner-shop');
  let watcher: mqtt.MqttClient | undefined;
  const nav = (view: string) => page.locator(`nav[aria-label="Main"] [data-view="${view}"]`);
  try {
    await page.reload();
    await page.waitForSelector('nav[aria-label="Main"]');

    // 1. Devices: open the demo site; its two serial ports are in the one device list.
    await pressOn(page, nav('devices'));
    await pressOn(page, page.getByTestId('demo-toggle'));
    const rows = page.getByTestId('device-row');
    const named = (name: RegExp | string) =>
      rows.filter({ has: page.getByTestId('device-name').filter({ hasText: name }) });
    await expect(named(/\/demo_relay$/)).toHaveCount(1, { timeout: 30_000 });
    await expect(named(/\/demo-sensor$/)).toHaveCount(1);
    await expectAccessible(page, 'Devices with the demo');

    // The relay's port: probe it from its drawer, then hand it to the wizard with what was learned.
    await pressOn(page, named(/\/demo_relay$/));
    const drawer = page.getByTestId('device-drawer');
    await pressOn(page, drawer.getByRole('button', { name: 'Probe port' }));
    await expect(drawer.getByRole('status')).toContainText('Tasmota console');
    // The probed console shares the relay's MAC: port and relay are one row now.
    await expect(named(/\/demo_relay$/)).toHaveCount(0);
    await expect(named('Demo relay')).toHaveCount(1);
    // Every demo device is listed before counting (the sensor's port is a row of its own until
    // commissioning teaches it the sensor's MAC).
    for (const name of ['Demo sensor', 'Demo Homie light', 'demo-gateway', 'shellyplus1pm-demo01'])
      await expect(named(name)).toHaveCount(1);
    const rowCount = await rows.count();
    await pressOn(page, page.getByTestId('commission-this'));

    // 2. Commission: the relay is picked with its probe answer; the sensor's port is listed too.
    await expect(nav('commission')).toHaveAttribute('aria-current', 'page');
    const picked = page.getByTestId('picked-device');
    await expect(picked).toHaveCount(1);
    await expect(picked.first().getByTestId('probe-result')).toContainText('Tasmota console');
    await expect(page.getByText('No serial ports found')).toHaveCount(0);
    const note = page.getByTestId('port-list-note');
    if (await note.count()) await expect(note).not.toHaveText(/^spawn /);
    const sensorPort = page.locator('ul.ports li', { hasText: 'demo-sensor' });
    await pressOn(page, sensorPort.getByTestId('pick-port'), 'Space');
    await expect(picked).toHaveCount(2);
    const sensorRow = picked.filter({ hasText: /demo-sensor/ });
    await pressOn(page, sensorRow.getByTestId('probe'));
    await expect(sensorRow.getByTestId('probe-result')).toContainText('Improv device: ESPHome');
    await typeInto(page, picked.filter({ hasText: 'demo_relay' }).getByTestId('device-name'), 'Shop relay');
    await typeInto(page, sensorRow.getByTestId('device-name'), 'Shop sensor');
    await screenshot(page, 'day-commission-pick');
    await pressOn(page, page.getByTestId('next-profile'));

    // The networks the sensor hears (hidden one left out, the site's two access points as one),
    // and which one the demo accepts.
    const networks = page.getByTestId('wifi-network');
    await expect(networks.first()).toHaveAttribute('data-ssid', DEMO_WIFI.ssid, { timeout: 20_000 });
    await expect(page.getByTestId('wifi-networks')).toContainText('Bäckerei Müller Gast');
    await expect(page.getByTestId('wifi-networks').locator(`[data-ssid="${DEMO_WIFI.ssid}"]`)).toHaveCount(1);
    await expect(page.getByTestId('demo-wifi')).toContainText(DEMO_WIFI.password);
    await pressOn(page, networks.first(), 'Space');
    await expect(page.getByTestId('ssid')).toHaveValue(DEMO_WIFI.ssid);
    await typeInto(page, page.getByTestId('wifi-password'), 'not-the-password');
    await typeInto(page, page.getByTestId('installer'), 'Ana');
    await pressOn(page, page.getByTestId('use-broker'), 'Space');
    await pressOn(page, page.getByTestId('use-demo-broker'));
    await expect(page.getByTestId('broker-host')).toHaveValue('127.0.0.1');
    await expectAccessible(page, 'Commission profile');
    await screenshot(page, 'day-commission-profile');
    await pressOn(page, page.getByTestId('start-run'));

    // A wrong password is refused by both devices, and asked again rather than resent.
    const summary = page.getByTestId('run-summary');
    await expect(summary).toHaveText(/Finished: 0 of 2 provisioned/, { timeout: 90_000 });
    const jobs = page.getByTestId('job-row');
    for (const port of ['demo_relay', 'demo-sensor']) {
      const job = jobs.filter({ hasText: port });
      await expect(job.getByTestId('job-reason')).toContainText(`could not join "${DEMO_WIFI.ssid}"`);
      await typeInto(page, job.getByTestId('retry-password'), DEMO_WIFI.password);
      await page.keyboard.press('Enter');
    }
    await expect(summary).toHaveText(/Finished: 2 of 2 provisioned/, { timeout: 120_000 });
    await expect(page.getByTestId('fix-profile')).toBeEnabled();
    await screenshot(page, 'day-commission-done');

    // Back in Devices: the commissioned relay (now on the broker under its new topic) is the row it
    // was, not a second one, and nothing shows offline.
    await pressOn(page, nav('devices'));
    await expect(named(/shop_relay/i)).toHaveCount(0);
    await expect(named(/\/demo-sensor$/)).toHaveCount(0, { timeout: 20_000 });
    await expect(named('Demo sensor')).toHaveCount(1);
    await expect(named('Demo relay')).toHaveCount(1);
    await expect(rows).toHaveCount(rowCount - 1);
    await expect(page.locator('[data-testid="device-row"] .dot.offline')).toHaveCount(0);

    // 3. Flows, before any project exists: the relay action, then the motion trigger wired to it.
    await pressOn(page, nav('flows'));
    await expect(page.getByText('Not in a project')).toBeVisible();
    const palette = page.getByTestId('palette');
    await pressOn(page, palette.locator('[data-device]', { hasText: /relay/i }).first());
    await page.keyboard.type('Set');
    await expect(page.getByTestId('quick-add')).toContainText('Set Demo relay On');
    await page.keyboard.press('Enter');
    await pressOn(page, palette.locator('[data-device]', { hasText: 'Demo sensor' }));
    await page.keyboard.type('detected changes');
    await expect(page.getByTestId('quick-add')).toContainText('When Demo sensor Motion detected changes');
    await page.keyboard.press('Enter');
    const nodes = page.locator('.svelte-flow__node-flowNode');
    await expect(nodes).toHaveCount(2);
    // Added by keyboard, the second node goes below the first rather than on top of it.
    const [first, second] = [await nodes.nth(0).boundingBox(), await nodes.nth(1).boundingBox()];
    const overlap =
      first!.x < second!.x + second!.width &&
      second!.x < first!.x + first!.width &&
      first!.y < second!.y + second!.height &&
      second!.y < first!.y + first!.height;
    expect(overlap).toBe(false);
    await chooseOption(page, page.getByTestId('wire-target'), 'relay');
    await pressOn(page, page.getByTestId('wire-button'));
    await expect(page.locator('.svelte-flow__edge')).toHaveCount(1);
    await typeInto(
      page,
      page
        .getByTestId('inspector')
        .locator('[data-field="condition"] input, [data-field="condition"] textarea')
        .first(),
      'payload == true',
    );
    await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
    await expectAccessible(page, 'Flows with a drawing');
    await screenshot(page, 'day-flow-drawn');
    // The palette shows each device's whole name (what it is goes on the line below).
    const cut = await palette
      .locator('[data-device] .label')
      .evaluateAll((labels) => labels.filter((l) => l.scrollWidth > l.clientWidth).map((l) => l.textContent));
    expect(cut).toEqual([]);

    // A role no device here can fill says why and what to do; removing it again is one key press.
    await pressOn(page, page.getByTestId('roles-tab'));
    await typeInto(page, page.getByLabel('New role'), 'Back door');
    await chooseOption(page, page.getByRole('combobox', { name: 'Capability' }), 'Lock (lock@1)');
    await pressOn(page, page.getByRole('button', { name: 'Add role' }));
    const backDoor = page.locator('[data-role="back-door"]');
    await expect(backDoor.getByTestId('no-candidates')).toContainText(
      /none of the \d+ devices here offers Lock/,
    );
    await expect(backDoor.getByTestId('no-candidates')).toContainText('Discover or add one that does');
    await pressOn(page, backDoor.getByRole('button', { name: 'Remove role back-door' }));
    await expect(backDoor).toHaveCount(0);
    await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');

    // Ctrl+S with no project asks for one; the drawing moves into it and is saved there.
    await page.keyboard.press('Control+s');
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await expect(dialog).toBeVisible();
    await typeInto(page, dialog.getByLabel('Name'), 'Corner shop');
    await typeInto(page, dialog.getByLabel(/^Folder/), folder);
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('status')).toContainText('is now part of “Corner shop”');
    await expect(nodes).toHaveCount(2);
    await page.keyboard.press('Control+s');
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');
    const saved = JSON.parse(readFileSync(join(folder, 'flows', 'flow-1.json'), 'utf8')) as {
      nodes: unknown[];
      edges: unknown[];
    };
    expect([saved.nodes.length, saved.edges.length]).toEqual([2, 1]);

    // 4. Deploy: the demo's broker and gateway; pair once, choose it, deploy.
    await pressOn(page, nav('deploy'));
    const brokerField = page.getByTestId('deploy-broker');
    await expect(brokerField).toHaveValue(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const brokerUrl = await brokerField.inputValue();
    const gatewayRow = page.getByTestId('deploy-view').locator('tr', { hasText: 'demo-gateway' });
    await expect(gatewayRow).toContainText('online', { timeout: 20_000 });
    await pressOn(page, gatewayRow.getByRole('button', { name: 'Pair', exact: true }));
    await expect(page.getByTestId('deploy-notice')).toContainText('demo-gateway now trusts key');
    await pressOn(page, gatewayRow.getByRole('checkbox'), 'Space');
    await expect(page.getByTestId('deploy-site')).toHaveValue('site-1');
    await pressOn(page, page.getByTestId('deploy-run'));
    await expect(page.getByTestId('deploy-result')).toContainText(': delivered everywhere', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('deploy-result')).toContainText('packed');
    await expectAccessible(page, 'Deploy after a deployment');
    await screenshot(page, 'day-deployed');

    // The choices are kept: away and back, the broker and the chosen gateway are as they were.
    await pressOn(page, nav('devices'));
    await pressOn(page, nav('deploy'));
    await expect(brokerField).toHaveValue(brokerUrl);
    await expect(gatewayRow.getByRole('checkbox')).toBeChecked({ timeout: 20_000 });

    // The relay reacts to the sensor through the deployed flow.
    watcher = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    const power: string[] = [];
    watcher.on(
      'message',
      (topic, payload) => topic === 'stat/demo_relay/POWER' && power.push(payload.toString()),
    );
    await watcher.subscribeAsync('stat/demo_relay/POWER');
    await watcher.publishAsync('cmnd/demo_relay/POWER', 'OFF');
    await expect.poll(() => power.at(-1)).toBe('OFF');
    // The virtual sensor also sees motion now and then by itself: OFF first, so ON is a change.
    await watcher.publishAsync('demo-sensor/binary_sensor/motion/state', 'OFF', { retain: true });
    await watcher.publishAsync('demo-sensor/binary_sensor/motion/state', 'ON', { retain: true });
    await expect.poll(() => power.at(-1), { timeout: 20_000 }).toBe('ON');
  } finally {
    await watcher?.endAsync(true);
    rmSync(work, { recursive: true, force: true });
  }
  expect(console.problems).toEqual([]);
});
