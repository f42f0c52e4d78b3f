import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { ProjectUi } from './pages/project';

/** A password that must never reach the site file, the page or the server's output. */
const PASSWORD = 'Sh3lly-e2e-Pa55word';
const SHELLY = 'shellyplus1pm-demo01';
const REF = `device/site-1/${SHELLY}/password`;

test('a device’s settings and login are set in the Roles tab: the Homie light gets its switch path, the Shelly a password kept in the secret store', async ({
  page,
  pageErrors,
  webApp,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-devices-'));
  const folder = join(work, 'lights');
  try {
    const project = new ProjectUi(page);
    await project.create('Lights', folder);
    await expect(project.name).toHaveText('Lights');
    const canvas = new CanvasPage(page);
    await canvas.open();
    await page.getByTestId('start-demo').click();

    // Discovery read which Homie property is the switch (a boolean whose $settable is true), so
    // the light is offered as a switch as it is; what it could also give waits for settings.
    const homie = page.locator('[data-testid="palette"] [data-device="topic:demo-homie"]');
    await expect(homie).toBeEnabled({ timeout: 30_000 });
    await expect(homie).toHaveAttribute(
      'title',
      /temperature@1.* once .*temperature_path.* “Devices on this site”/,
    );
    await expect(homie).not.toHaveAttribute('title', /switch_path/);
    await canvas.dropDevice('topic:demo-homie', 'Set Demo Homie light Switch On', { x: 420, y: 150 });
    await expect(canvas.nodes).toHaveCount(1);

    // The light joined the site bound to its role, ready, with the switch path discovery found.
    await canvas.openRoles();
    await expect(canvas.siteSelect).toHaveValue('site-1');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 1 roles are bound/);
    await expect(canvas.bindingReason('demo-homie-light-switch')).toHaveText('✓ implements switch@1');
    const light = await canvas.expandDevice('demo-homie-light');
    const switchPath = canvas.setting(light, 'switch_path');
    await expect(switchPath).toHaveValue('light/power');

    // Cleared (the installer rewires the light), readiness names the missing setting with its description.
    await switchPath.fill('');
    await switchPath.press('Enter');
    await expect(canvas.readiness).toContainText('Not ready for “Site 1”: 0 of 1 roles ready.');
    const missing = page.getByTestId('readiness-missing');
    await expect(missing).toContainText(
      '“Demo Homie light Switch” (switch@1) is bound to “Demo Homie light”, which cannot fill it: Homie device (v4 / v5) needs the setting switch_path (Switch property: <node>/<property> of a settable boolean, e.g. light/power) to offer switch@1',
    );
    const devices = canvas.siteDevices;
    await expect(devices.locator('li[data-device="demo-homie-light"]')).toContainText(
      /Demo Homie light\s*seen now\s*Homie device \(v4 \/ v5\) ·\s*bound to Demo Homie light Switch\s*·\s*needs switch_path/,
    );
    await expect(canvas.bindingReason('demo-homie-light-switch')).toHaveText(
      '✗ cannot fill it until switch_path is set (in the readiness list above)',
    );
    await screenshot(page, 'site-devices-missing-setting');

    // Filled right where readiness names it: the resolver now says it fits, and the site is ready.
    const inline = canvas.setting(missing, 'switch_path');
    await inline.fill('light/power');
    await inline.press('Enter');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 1 roles are bound/);
    await expect(canvas.bindingReason('demo-homie-light-switch')).toHaveText('✓ implements switch@1');

    // The device's form shows every setting of its model; a value the model's pattern refuses is not kept.
    await expect(canvas.setting(light, 'switch_path')).toHaveValue('light/power');
    await expect(light.locator('[data-setting="switch_path"]')).toContainText(
      '<node>/<property> of a settable boolean, e.g. light/power.',
    );
    const base = canvas.setting(light, 'base');
    await expect(base).toHaveValue('homie/demo-homie');
    await base.fill('homie/#');
    await base.blur();
    await expect(light.getByTestId('setting-error')).toHaveText(
      'Device base topic (base) must match ^[^#+]+$; “homie/#” does not. Fix the value (the description says what it holds).',
    );
    await base.fill('homie/demo-homie');
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
    await expect(canvas.setting(light, 'switch_path')).toHaveValue('light/power');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”/);

    // A second role, bound from the Roles tab to the Shelly, which gets a login.
    await canvas.addRole('Kitchen plug', 'switch@1');
    await canvas.openRoles();
    await canvas.devicePicker('kitchen-plug').selectOption(SHELLY);
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 2 roles are bound/);
    const shelly = await canvas.expandDevice(SHELLY);
    const login = shelly.getByTestId('device-login');
    // The secret store starts locked in this app: the first passphrase starts its file.
    await expect(login).toContainText('The secret store is locked.');
    await login.getByLabel('Passphrase of the secrets file').fill('e2e secrets passphrase');
    await login.getByRole('button', { name: 'Unlock' }).click();
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
    expect(byId('demo-homie-light').variables).toEqual({
      base: 'homie/demo-homie',
      switch_path: 'light/power',
      dimmer_path: 'light/brightness',
    });
    expect(byId(SHELLY).auth).toEqual({ username: 'admin', password: { secret: REF } });
    expect(site.bindings).toEqual([
      { role: 'demo-homie-light-switch', device: 'demo-homie-light' },
      { role: 'kitchen-plug', device: SHELLY },
    ]);

    // Reload: the setting and the login are read back from the site file.
    await page.reload();
    await canvas.open();
    await canvas.openRoles();
    await expect(canvas.siteSelect).toHaveValue('site-1');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 2 roles are bound/);
    await expect(canvas.setting(await canvas.expandDevice('demo-homie-light'), 'switch_path')).toHaveValue(
      'light/power',
    );
    const again = (await canvas.expandDevice(SHELLY)).getByTestId('device-login');
    await expect(again.getByTestId('login-state')).toHaveText(
      `Password stored in the secret store as ${REF}; never shown again.`,
    );
    await expect(again.getByLabel(`Username of ${SHELLY}`)).toHaveValue('admin');
    await screenshot(page, 'site-devices-reloaded');

    // Removing the login deletes the secret: undoing it brings the reference back, and the form
    // says the store no longer has the password.
    await again.getByRole('button', { name: 'Remove login' }).click();
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
    rmSync(work, { recursive: true, force: true });
  }
});
