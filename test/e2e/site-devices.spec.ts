import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import mqtt from 'mqtt';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { DevicesPage } from './pages/devices';
import { ProjectUi } from './pages/project';

/** A password that must never reach the site file, the page or the server's output. */
const PASSWORD = 'Sh3lly-e2e-Pa55word';
const SHELLY = 'shellyplus1pm-demo01';
const REF = `device/site-1/${SHELLY}/password`;

/**
 * A Homie 2 relay light (homie-esp8266 2.x, its LightOnOff example), as it announces itself: Homie 2
 * has no datatypes, so `on:settable` does not say the property is a boolean switch. Discovery knows
 * the device is Homie, not which property is its switch — the installer gives that setting.
 */
const PORCH_LIGHT = JSON.parse(
  readFileSync('test/fixtures/field/homie/v2-esp8266-light-on-off.json', 'utf8'),
) as { messages: { topic: string; payload: string }[] };

test('a device’s settings and login are set in the Roles tab: the Homie 2 light gets the switch path discovery could not find, the Shelly a password kept in the secret store', async ({
  page,
  pageErrors,
  webApp,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-devices-'));
  const folder = join(work, 'lights');
  let device: mqtt.MqttClient | undefined;
  try {
    const project = new ProjectUi(page);
    await project.create('Lights', folder);
    await expect(project.name).toHaveText('Lights');
    const canvas = new CanvasPage(page);
    await canvas.open();
    await page.getByTestId('start-demo').click();
    const homie = page.locator('[data-testid="palette"] [data-device="topic:demo-homie"]');
    await expect(homie).toBeEnabled({ timeout: 30_000 });

    // The porch light joins the demo's broker and announces itself as the firmware does.
    const devicesView = new DevicesPage(page);
    await devicesView.open();
    await expect(devicesView.status).toContainText('broker mqtt://127.0.0.1:', { timeout: 10_000 });
    const brokerUrl = /broker (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(
      (await devicesView.status.textContent()) ?? '',
    )![1]!;
    device = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    for (const m of PORCH_LIGHT.messages)
      await device.publishAsync(m.topic, m.payload, { retain: true, qos: 1 });
    await canvas.open();

    // A Homie 4 light says which property is its switch (a settable boolean): it is offered as it is.
    await expect(homie).not.toHaveAttribute('title', /switch_path/);
    // The Homie 2 light does not: its switch is offered, waiting for the setting.
    const porch = page.locator('[data-testid="palette"] [data-device="topic:porch-light"]');
    await expect(porch).toBeEnabled({ timeout: 30_000 });
    await expect(porch).toHaveAttribute('title', /switch@1.* once .*switch_path.* “Devices on this site”/);
    await canvas.dropDevice('topic:porch-light', 'Set Porch light · Switch On', { x: 420, y: 150 });
    await expect(canvas.nodes).toHaveCount(1);

    // It joined the site bound to its role; readiness names the missing setting with its description.
    await canvas.openRoles();
    await expect(canvas.siteSelect).toHaveValue('site-1');
    await expect(canvas.readiness).toContainText('Not ready for “Site 1”: 0 of 1 roles ready.');
    const missing = page.getByTestId('readiness-missing');
    await expect(missing).toContainText(
      '“Porch light · Switch” (switch@1) is bound to “Porch light”, which cannot fill it: Homie device (v4 / v5) needs the setting switch_path (Switch property: <node>/<property> of a settable boolean, e.g. light/power) to offer switch@1',
    );
    const devices = canvas.siteDevices;
    await expect(devices.locator('li[data-device="porch-light"]')).toContainText(
      /Porch light\s*seen now\s*Homie device \(v4 \/ v5\) ·\s*bound to Porch light · Switch\s*·\s*needs switch_path/,
    );
    await expect(canvas.bindingReason('porch-light-switch')).toHaveText(
      '✗ cannot fill it until switch_path is set (in the readiness list above)',
    );
    const light = await canvas.expandDevice('porch-light');
    await expect(canvas.setting(light, 'switch_path')).toHaveValue('');
    await expect(light.locator('[data-setting="switch_path"]')).toContainText(
      'Required for dimmer@1, switch@1: not set (discovery did not find it).',
    );
    await screenshot(page, 'site-devices-missing-setting');

    // Filled right where readiness names it: the resolver now says it fits, and the site is ready.
    const inline = canvas.setting(missing, 'switch_path');
    await inline.fill('light/on');
    await inline.press('Enter');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 1 roles are bound/);
    await expect(canvas.bindingReason('porch-light-switch')).toHaveText('✓ implements switch@1');

    // The device's form shows every setting of its model; a value the model's pattern refuses is not kept.
    await expect(canvas.setting(light, 'switch_path')).toHaveValue('light/on');
    await expect(light.locator('[data-setting="switch_path"]')).toContainText(
      '<node>/<property> of a settable boolean, e.g. light/power.',
    );
    const base = canvas.setting(light, 'base');
    await expect(base).toHaveValue('homie/porch-light');
    await base.fill('homie/#');
    await base.blur();
    await expect(light.getByTestId('setting-error')).toHaveText(
      'Device base topic (base) must match ^[^#+]+$; “homie/#” does not. Fix the value (the description says what it holds).',
    );
    await base.fill('homie/porch-light');
    await base.blur();
    await expect(light.getByTestId('setting-error')).toHaveCount(0);

    // Setting the switch path was one undoable edit.
    await canvas.leaveFields();
    await canvas.press('Control+z');
    await expect(canvas.setting(light, 'switch_path')).toHaveValue('');
    await expect(canvas.readiness).toContainText('Not ready for “Site 1”');
    await expect(light.locator('[data-setting="switch_path"]')).toContainText(
      'Required for dimmer@1, switch@1: not set (discovery did not find it).',
    );
    await canvas.press('Control+y');
    await expect(canvas.setting(light, 'switch_path')).toHaveValue('light/on');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”/);

    // A second role, bound from the Roles tab to the Shelly, which gets a login.
    await canvas.addRole('Kitchen plug', 'switch@1');
    await canvas.openRoles();
    await canvas.devicePicker('kitchen-plug').selectOption(SHELLY);
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 2 roles are bound/);
    const shelly = await canvas.expandDevice(SHELLY);
    const login = shelly.getByTestId('device-login');
    // The secret store starts locked in this app: the first passphrase starts its file, and the
    // words say it is being chosen, not entered.
    await expect(login).toContainText('The secret store is locked.');
    await expect(login.getByTestId('secrets-first-run')).toContainText('choose a passphrase');
    await login.getByLabel('Choose a passphrase for the secrets file').fill('e2e secrets passphrase');
    await login.getByLabel('Type the new passphrase again').fill('e2e secrets passphrase');
    await login.getByRole('button', { name: 'Create secrets file' }).click();
    await login.getByLabel(`Username of ${SHELLY}`).fill('admin');
    await login.getByLabel(`Password of ${SHELLY}`).fill(PASSWORD);
    await login.getByRole('button', { name: 'Store login' }).click();
    await expect(login.getByTestId('login-state')).toHaveText(
      `Password stored in the secret store as ${REF}; never shown again.`,
    );
    await expect(login.getByLabel(`Password of ${SHELLY}`)).toHaveValue('');
    expect(await page.content()).not.toContain(PASSWORD);
    const values = await page
      .locator('input')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(values).not.toContain(PASSWORD);
    await login.scrollIntoViewIfNeeded();
    await screenshot(page, 'site-devices-login');

    await page.getByTestId('save-flows').click();
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');
    const text = readFileSync(join(folder, 'sites', 'site-1.json'), 'utf8');
    expect(text).not.toContain(PASSWORD);
    const site = JSON.parse(text);
    const ajv = new Ajv({ strict: false, allErrors: true });
    const checkSite = ajv.compile(JSON.parse(readFileSync('resources/schemas/site.schema.json', 'utf8')));
    expect(checkSite(site), ajv.errorsText(checkSite.errors)).toBe(true);
    const byId = (id: string) => site.devices.find((d: { id: string }) => d.id === id);
    expect(byId('porch-light').variables).toEqual({ base: 'homie/porch-light', switch_path: 'light/on' });
    expect(byId(SHELLY).auth).toEqual({ username: 'admin', password: { secret: REF } });
    expect(site.bindings).toEqual([
      { role: 'porch-light-switch', device: 'porch-light' },
      // The Shelly's one switch is its announced switch:0 component: the only implementation of
      // switch@1 the device runs with, so the binding needs no name for it.
      { role: 'kitchen-plug', device: SHELLY },
    ]);
    expect(byId(SHELLY).entities.switch_0_switch).toMatchObject({ capability: 'switch@1' });

    // Reload: the setting and the login are read back from the site file.
    await page.reload();
    await canvas.open();
    await canvas.openRoles();
    await expect(canvas.siteSelect).toHaveValue('site-1');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 2 roles are bound/);
    await expect(canvas.setting(await canvas.expandDevice('porch-light'), 'switch_path')).toHaveValue(
      'light/on',
    );
    const again = (await canvas.expandDevice(SHELLY)).getByTestId('device-login');
    await expect(again.getByTestId('login-state')).toHaveText(
      `Password stored in the secret store as ${REF}; never shown again.`,
    );
    await expect(again.getByLabel(`Username of ${SHELLY}`)).toHaveValue('admin');
    await screenshot(page, 'site-devices-reloaded');

    // Removing the login (after confirming) deletes the secret: undoing it brings the reference back, and the form
    // says the store no longer has the password.
    await again.getByRole('button', { name: 'Remove login' }).click();
    // The stored password cannot be brought back, so the app asks first.
    await screenshot(page, 'site-devices-remove-login-asked');
    await page.getByTestId('ask-dialog').getByRole('button', { name: 'Remove login' }).click();
    await expect(again.getByTestId('login-state')).toHaveCount(0);
    await canvas.leaveFields();
    await canvas.press('Control+z');
    await expect(again.getByTestId('login-state')).toHaveText(
      `The secret store has no ${REF} on this computer: type the password again.`,
    );
    await canvas.press('Control+y');
    await expect(again.getByTestId('login-state')).toHaveCount(0);
    await page.getByTestId('save-flows').click();
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');
    const removed = JSON.parse(readFileSync(join(folder, 'sites', 'site-1.json'), 'utf8'));
    expect(removed.devices.find((d: { id: string }) => d.id === SHELLY)).not.toHaveProperty('auth');

    expect(webApp.output()).not.toContain(PASSWORD);
    expect(pageErrors).toEqual([]);
  } finally {
    await device?.endAsync(true);
    rmSync(work, { recursive: true, force: true });
  }
});
