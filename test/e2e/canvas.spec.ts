import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { expect, screenshot, startWebApp, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { ProjectUi } from './pages/project';

test('build a motion → light flow against roles, with live type errors, undo/redo, copy/paste and auto-layout', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await screenshot(page, 'canvas-empty');

  await canvas.addRole('Hallway motion', 'motion@1');
  await canvas.addRole('Hallway light', 'switch@1');

  await canvas.dropRole('hallway-motion', 'When Hallway motion Motion detected changes', { x: 150, y: 150 });
  await canvas.dropRole('hallway-light', 'Set Hallway light On', { x: 430, y: 170 });
  await expect(canvas.nodes).toHaveCount(2);
  const [trigger, action] = await canvas.nodeIds();
  await expect(canvas.node(trigger!)).toContainText('Property change');
  await expect(canvas.node(trigger!)).toContainText('Hallway motion');

  await canvas.connect([trigger!, 'out'], [action!, 'in']);
  await expect(canvas.edges).toHaveCount(1);
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
  await screenshot(page, 'canvas-motion-light');
  // The role picker of Set property offers only roles with a writable property: the light.
  await canvas.select(action!);
  await expect(canvas.field('role').locator('option')).toHaveText([
    '— pick a role —',
    'Hallway light (Switch)',
  ]);

  // A boolean (motion) into Compare's number input is refused, with the reason beside the pointer.
  await canvas.quickAdd({ x: 300, y: 330 }, 'compare');
  const compare = (await canvas.nodeIds()).find((id) => id !== trigger && id !== action)!;
  const reason = await canvas.tryConnect([trigger!, 'out'], [compare, 'in']);
  expect(reason).toContain('sends boolean');
  expect(reason).toContain('takes number');
  await expect(canvas.status).toContainText('sends boolean');
  await expect(canvas.edges).toHaveCount(1);
  await canvas.select(compare);
  await canvas.press('Delete');
  await expect(canvas.nodes).toHaveCount(2);

  // A condition that compares the motion boolean with a number is a type error, shown inline.
  await canvas.select(trigger!);
  await canvas.field('condition').fill('payload > 25');
  await expect(canvas.fieldError('condition')).toContainText('bool');
  await expect(canvas.node(trigger!).getByTestId('problem-badge')).toBeVisible();
  await expect(page.getByTestId('problem-count')).toHaveText('1 error, 0 warnings');
  await screenshot(page, 'canvas-type-error');
  // Clicking the problem selects its node (and zooms to it).
  await page.locator('.svelte-flow__pane').click({ position: { x: 5, y: 5 } });
  await expect(canvas.node(trigger!)).not.toHaveClass(/selected/);
  await canvas.problems.locator(`[data-node="${trigger}"]`).click();
  await expect(canvas.node(trigger!)).toHaveClass(/selected/);
  await canvas.field('condition').fill('payload == true');
  await expect(canvas.fieldError('condition')).toHaveCount(0);
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');

  // Ten more steps: five Ctrl+K additions and five moves; then undo all ten and redo them.
  const before = { ids: await canvas.nodeIds(), positions: await canvas.positions() };
  for (let i = 0; i < 5; i++) await canvas.quickAdd({ x: 120 + i * 40, y: 380 }, 'delay');
  await expect(canvas.nodes).toHaveCount(7);
  const added = (await canvas.nodeIds()).filter((id) => !before.ids.includes(id));
  for (const id of added) {
    const box = (await canvas.node(id).boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + 60, { steps: 6 });
    await page.mouse.move(box.x + 80, box.y + 110, { steps: 6 });
    await page.mouse.up();
  }
  const after = { ids: await canvas.nodeIds(), positions: await canvas.positions() };
  await page.locator('.svelte-flow__pane').click({ position: { x: 5, y: 5 } });
  await canvas.press('Control+z', 10);
  await expect(canvas.nodes).toHaveCount(2);
  expect(await canvas.positions()).toEqual(before.positions);
  await screenshot(page, 'canvas-undone');
  await canvas.press('Control+Shift+z', 10);
  await expect(canvas.nodes).toHaveCount(7);
  expect(await canvas.positions()).toEqual(after.positions);

  // Copy the motion → light pair and paste it into a new flow: new ids, the wire comes along.
  await canvas.select(trigger!);
  await canvas
    .node(action!)
    .locator('.head')
    .click({ modifiers: ['Control'] });
  await canvas.press('Control+c');
  await page.getByRole('button', { name: 'New flow' }).click();
  await expect(canvas.nodes).toHaveCount(0);
  await canvas.pasteAt({ x: 200, y: 150 });
  await expect(canvas.nodes).toHaveCount(2);
  await expect(canvas.edges).toHaveCount(1);
  const pasted = await canvas.nodeIds();
  expect(pasted.some((id) => id === trigger || id === action)).toBe(false);
  await expect(canvas.node(pasted[0]!)).toContainText('Hallway motion');
  await screenshot(page, 'canvas-pasted');

  // Back to the first flow: auto-layout puts the trigger left of the action, as one undo step.
  await page.locator('[data-flow="flow-1"]').click();
  await expect(canvas.nodes).toHaveCount(7);
  await page.getByTestId('auto-layout').click();
  await expect
    .poll(async () => {
      const p = await canvas.boxes();
      const area = (await canvas.canvas.boundingBox())!;
      // Laid out left to right, and then fitted so every node is on screen.
      return (
        p[trigger!]!.x + p[trigger!]!.width < p[action!]!.x &&
        Math.abs(p[trigger!]!.y - p[action!]!.y) < 60 &&
        Object.values(p).every((b) => b.x >= area.x && b.y >= area.y)
      );
    })
    .toBe(true);
  await screenshot(page, 'canvas-auto-layout');

  expect(pageErrors).toEqual([]);
});

test('a discovered virtual device dragged onto the canvas becomes a bound role offering its triggers and actions', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await page.getByTestId('start-demo').click();
  const sensor = page.locator('[data-testid="palette"] [data-device="mac:b4e62d112233"]');
  const relay = page.locator('[data-testid="palette"] [data-device="topic:demo_relay"]');
  await expect(sensor).toBeEnabled({ timeout: 30_000 });
  await expect(relay).toBeEnabled({ timeout: 30_000 });
  await screenshot(page, 'canvas-devices');

  await canvas.dropDevice('mac:b4e62d112233', /When Demo sensor Temperature.* changes/, { x: 150, y: 150 });
  await canvas.dropDevice('topic:demo_relay', 'Set Demo relay On', { x: 550, y: 150 });
  await expect(canvas.nodes).toHaveCount(2);
  const [trigger, action] = await canvas.nodeIds();
  await canvas.connect([trigger!, 'out'], [action!, 'in']);
  await expect(canvas.edges).toHaveCount(1);
  // Each node shows whether the device bound to its role is online.
  await expect(canvas.node(action!).getByTestId('status-badge')).toHaveClass(/online/);

  // The temperature is a number: comparing it with a string is a type error until fixed.
  await canvas.select(trigger!);
  await canvas.field('condition').fill('payload > "warm"');
  await expect(canvas.fieldError('condition')).toBeVisible();
  await canvas.field('condition').fill('payload > 25');
  await expect(canvas.fieldError('condition')).toHaveCount(0);
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');

  // Both roles were created bound to the devices, so the design is ready for this site.
  await page.getByTestId('roles-tab').click();
  await expect(page.getByTestId('readiness')).toHaveText(
    /Ready for this site: all 2 roles are bound to devices that fill them/,
  );
  await screenshot(page, 'canvas-device-roles');
  // Undo the condition edit, the wire and the relay's node: its role goes with the node, in one step.
  await canvas.leaveFields();
  await canvas.press('Control+z', 3);
  await expect(canvas.nodes).toHaveCount(1);
  await expect(page.getByTestId('roles-panel').locator('[data-role]')).toHaveCount(1);
  expect(pageErrors).toEqual([]);
});

test('a motion → light flow built from discovered virtual devices is bound in a site, saved, and reopens as it was', async ({
  page,
  pageErrors,
  browser,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-site-'));
  const folder = join(work, 'hallway');
  try {
    const project = new ProjectUi(page);
    await project.create('Hallway', folder);
    await expect(project.name).toHaveText('Hallway');
    const canvas = new CanvasPage(page);
    await canvas.open();
    await page.getByTestId('start-demo').click();
    // The ESPHome-like sensor offers motion (its Home Assistant binary_sensor); the relay a switch.
    const sensor = page.locator('[data-testid="palette"] [data-device="mac:b4e62d112233"]');
    await expect(sensor).toBeEnabled({ timeout: 30_000 });
    await expect(sensor).toHaveAttribute('title', /motion@1/);
    await expect(page.locator('[data-testid="palette"] [data-device="topic:demo_relay"]')).toBeEnabled({
      timeout: 30_000,
    });

    await canvas.dropDevice('mac:b4e62d112233', 'When Demo sensor Motion detected changes', {
      x: 80,
      y: 150,
    });
    await canvas.dropDevice('topic:demo_relay', 'Set Demo relay On', { x: 420, y: 150 });
    await expect(canvas.nodes).toHaveCount(2);
    const [trigger, action] = await canvas.nodeIds();
    // Roles are named after the device alone while it fills one role.
    await expect(canvas.node(trigger!).locator('.role')).toHaveText('◎ Demo sensor');
    await expect(canvas.node(action!).locator('.role')).toHaveText('◎ Demo relay');
    await canvas.connect([trigger!, 'out'], [action!, 'in']);
    await expect(canvas.edges).toHaveCount(1);
    await canvas.select(trigger!);
    await canvas.field('condition').fill('payload == true');
    await expect(canvas.fieldError('condition')).toHaveCount(0);
    await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
    await expect(canvas.node(action!).getByTestId('status-badge')).toHaveClass(/online/);
    await page.getByTestId('auto-layout').click();
    await expect
      .poll(async () => {
        const b = await canvas.boxes();
        return b[trigger!]!.x + b[trigger!]!.width < b[action!]!.x;
      })
      .toBe(true);
    await screenshot(page, 'canvas-site-flow');

    // The project had no site: the first binding made “Site 1”, and both roles are ready there.
    await canvas.openRoles();
    await expect(canvas.siteSelect).toHaveValue('site-1');
    await expect(canvas.readiness).toHaveText(
      /Ready for “Site 1”: all 2 roles are bound to devices that fill them\./,
    );
    await expect(canvas.bindingReason('demo-sensor-motion')).toHaveText('✓ implements motion@1');
    await expect(canvas.bindingReason('demo-relay-switch')).toHaveText('✓ implements switch@1');
    // The light's candidates come from the resolver: the relay (bound, first), the Homie light
    // through the settable boolean it describes, and the Shelly switch; not the sensor.
    await expect(canvas.devicePicker('demo-relay-switch').locator('option')).toHaveText([
      '— not bound —',
      'Demo relay (Tasmota device)',
      'Demo Homie light (Homie device (v4 / v5))',
      'shellyplus1pm-demo01 (Shelly Plus 1PM)',
    ]);

    // Unbinding is an edit like any other: readiness names what is missing, and undo rebinds.
    await canvas.devicePicker('demo-relay-switch').selectOption('');
    await expect(canvas.readiness).toContainText('Not ready for “Site 1”: 1 of 2 roles ready.');
    await expect(page.getByTestId('readiness-missing')).toHaveText(
      '“Demo relay” (switch@1) is not bound to a device',
    );
    await canvas.leaveFields();
    await canvas.press('Control+z');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”/);

    // Another site binds the same design to other devices: here nothing is bound yet.
    await canvas.newSite('Workshop');
    await expect(canvas.siteSelect).toHaveValue('workshop');
    await expect(canvas.readiness).toContainText('Not ready for “Workshop”: 0 of 2 roles ready.');
    await expect(page.getByTestId('readiness-missing').locator('li')).toHaveCount(2);
    await canvas.siteSelect.selectOption('site-1');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”/);
    await screenshot(page, 'canvas-site-roles');

    await page.getByTestId('save-flows').click();
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');
    const site = JSON.parse(readFileSync(join(folder, 'sites', 'site-1.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const checkSite = ajv.compile(JSON.parse(readFileSync('resources/schemas/site.schema.json', 'utf8')));
    expect(checkSite(site), ajv.errorsText(checkSite.errors)).toBe(true);
    expect(site.bindings).toEqual([
      { role: 'demo-sensor-motion', device: 'demo-sensor' },
      { role: 'demo-relay-switch', device: 'demo-relay' },
    ]);
    expect(site.devices).toEqual([
      {
        id: 'demo-sensor',
        name: 'Demo sensor',
        model: 'esphome-device',
        identity: { hostname: 'demo-sensor', mac: 'b4e62d112233' },
        variables: { host: 'demo-sensor', status_topic: 'demo-sensor/status' },
        // Its three Home Assistant entities, each bound at its own state topic.
        entities: {
          binary_sensor_motion: expect.objectContaining({ capability: 'motion@1' }),
          sensor_humidity: expect.objectContaining({ capability: 'humidity@1' }),
          sensor_temperature: expect.objectContaining({ capability: 'temperature@1' }),
        },
      },
      {
        id: 'demo-relay',
        name: 'Demo relay',
        model: 'tasmota-device',
        identity: { hostname: 'demo-relay-c4d5', mac: 'a4cf12b3c4d5', topic: 'demo_relay' },
        variables: { host: '127.0.0.1', lwt: 'tele/demo_relay/LWT', topic: 'demo_relay' },
        // What it drives comes from its discovery config: relay 1, bound at its own topics.
        entities: { relay1: expect.objectContaining({ capability: 'switch@1' }) },
      },
    ]);
    expect(JSON.parse(readFileSync(join(folder, 'sites', 'workshop.json'), 'utf8'))).toMatchObject({
      id: 'workshop',
      name: 'Workshop',
      bindings: [],
    });
    const flow = JSON.parse(readFileSync(join(folder, 'flows', 'flow-1.json'), 'utf8'));
    expect(flow.roles).toEqual(['demo-relay-switch', 'demo-sensor-motion']);
    const before = await canvas.positions();

    // Reload the page: the flow and the site's bindings are back.
    await page.reload();
    await canvas.open();
    await expect(canvas.nodes).toHaveCount(2);
    await expect(canvas.edges).toHaveCount(1);
    expect(await canvas.positions()).toEqual(before);
    await canvas.openRoles();
    await expect(canvas.siteSelect).toHaveValue('site-1');
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 2 roles are bound/);

    // Reopen it in a fresh app where no demo runs: the bindings stand on the site file alone.
    const other = await startWebApp();
    const fresh = await browser.newPage();
    try {
      await fresh.goto(other.url);
      await new ProjectUi(fresh).openByPath(folder);
      await expect(new ProjectUi(fresh).name).toHaveText('Hallway');
      const reopened = new CanvasPage(fresh);
      await reopened.open();
      await expect(reopened.nodes).toHaveCount(2);
      expect(await reopened.positions()).toEqual(before);
      await expect(fresh.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
      await reopened.openRoles();
      await expect(reopened.siteSelect).toHaveValue('site-1');
      await expect(reopened.readiness).toHaveText(/Ready for “Site 1”: all 2 roles are bound/);
      await expect(reopened.bindingReason('demo-relay-switch')).toHaveText(
        '✓ implements switch@1 · not seen now (kept in the site)',
      );
      await expect(reopened.node(action!).getByTestId('status-badge')).toHaveClass(/offline/);
      await screenshot(fresh, 'canvas-site-reopened');
    } finally {
      await fresh.close();
      await other.stop();
    }
    expect(pageErrors).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the sample demo project opens with its site’s bindings; one that no longer fits says why until rebound', async ({
  page,
  pageErrors,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-sample-'));
  try {
    const folder = join(work, 'demo');
    cpSync('resources/samples/demo-site', folder, { recursive: true });
    // Someone bound the hall light to the sensor in the file: it has no switch.
    const siteFile = join(folder, 'sites', 'demo.json');
    const demo = JSON.parse(readFileSync(siteFile, 'utf8'));
    demo.bindings[0] = { role: 'hall-light', device: 'demo-sensor' };
    writeFileSync(siteFile, JSON.stringify(demo, null, 2));
    const project = new ProjectUi(page);
    await project.openByPath(folder);
    await expect(project.name).toHaveText('Demo site');
    const canvas = new CanvasPage(page);
    await canvas.open();
    await canvas.openRoles();
    await expect(canvas.siteSelect).toHaveValue('demo');
    await expect(canvas.readiness).toContainText('Not ready for “Demo site”: 5 of 6 roles ready.');
    await expect(page.getByTestId('readiness-missing')).toHaveText(
      '“Hall light” (switch@1) is bound to “Living room sensor”, which cannot fill it: ESPHome multisensor (temperature, humidity, motion) does not implement switch@1',
    );
    await expect(canvas.bindingReason('hall-light')).toHaveText(
      '✗ cannot fill it: ESPHome multisensor (temperature, humidity, motion) does not implement switch@1',
    );
    // The sensor's model is the project's own (models/esphome-multisensor.json); the plug also meters power.
    await expect(canvas.bindingReason('hall-motion')).toHaveText(
      '✓ implements motion@1 · not seen now (kept in the site)',
    );
    await expect(canvas.devicePicker('kitchen-plug').locator('option')).toHaveText([
      '— not bound —',
      'Kitchen plug (Shelly Plus 1PM) · not seen now',
    ]);
    // Opening is not an edit.
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');
    await screenshot(page, 'canvas-sample-site-unfit');

    await canvas.devicePicker('hall-light').selectOption('demo-relay');
    await expect(canvas.readiness).toHaveText(
      /Ready for “Demo site”: all 6 roles are bound to devices that fill them\./,
    );
    await expect(page.getByTestId('save-flows')).toHaveText('Save');
    await page.getByTestId('save-flows').click();
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');
    // Only the binding changed: the site's network profile, rooms and gateways are as they were.
    const saved = JSON.parse(readFileSync(siteFile, 'utf8'));
    expect(saved).toEqual({
      ...demo,
      bindings: [{ role: 'hall-light', device: 'demo-relay' }, ...demo.bindings.slice(1)],
    });
    expect(pageErrors).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('flows are saved into the project folder and come back as they were when it is reopened', async ({
  page,
  pageErrors,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-canvas-'));
  try {
    const folder = join(work, 'hallway');
    const project = new ProjectUi(page);
    await project.create('Hallway', folder);
    await expect(project.name).toHaveText('Hallway');

    const canvas = new CanvasPage(page);
    await canvas.open();
    await canvas.addRole('Hallway motion', 'motion@1');
    await canvas.addRole('Hallway light', 'switch@1');
    await canvas.dropRole('hallway-motion', 'When Hallway motion Motion detected changes', {
      x: 150,
      y: 150,
    });
    await canvas.dropRole('hallway-light', 'Set Hallway light On', { x: 430, y: 170 });
    const [trigger, action] = await canvas.nodeIds();
    await canvas.connect([trigger!, 'out'], [action!, 'in']);
    await canvas.select(trigger!);
    await canvas
      .node(action!)
      .locator('.head')
      .click({ modifiers: ['Control'] });
    await canvas.press('Control+g');
    await expect(page.getByTestId('ask-dialog')).toBeVisible();
    await screenshot(page, 'canvas-group-label-asked');
    await canvas.answer('Hallway');
    await expect(page.getByTestId('group-frame')).toContainText('Hallway');
    const before = { positions: await canvas.positions(), edges: await canvas.edges.count() };

    await page.getByTestId('save-flows').click();
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');
    const files = readdirSync(join(folder, 'flows'));
    expect(files).toEqual(['flow-1.json']);
    const saved = JSON.parse(readFileSync(join(folder, 'flows', 'flow-1.json'), 'utf8'));
    expect(saved).toMatchObject({
      id: 'flow-1',
      schemaVersion: 1,
      roles: ['hallway-light', 'hallway-motion'],
    });
    expect(saved.nodes.map((n: { id: string }) => n.id).sort()).toEqual([trigger, action].sort());
    expect(saved.groups).toEqual([{ id: expect.any(String), label: 'Hallway' }]);
    await screenshot(page, 'canvas-saved');

    // Close the project and reopen it from the recent list: the flow is back as it was.
    await page.locator('nav[aria-label="Main"] [data-view="home"]').click();
    await project.close();
    await project.recent('Hallway').click();
    await expect(project.name).toHaveText('Hallway');
    await canvas.open();
    await expect(canvas.nodes).toHaveCount(2);
    expect(await canvas.positions()).toEqual(before.positions);
    await expect(canvas.edges).toHaveCount(before.edges);
    await expect(page.getByTestId('group-frame')).toContainText('Hallway');
    await expect(canvas.node(trigger!)).toContainText('Hallway motion');
    await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
    await screenshot(page, 'canvas-reopened');
    expect(pageErrors).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a Node-RED export imports as a new flow with a report of what did not convert; dark theme', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await page.getByRole('button', { name: 'Import Node-RED…' }).click();
  const dialog = page.getByTestId('nodered-import');
  await dialog.locator('textarea').fill(readFileSync('test/fixtures/nodered/inject-function.json', 'utf8'));
  await dialog.getByRole('button', { name: 'Check' }).click();
  await expect(dialog).toContainText('7 of 8 nodes convert into 1 flow; 7 of 7 wires kept');
  await expect(dialog.getByTestId('import-report')).toContainText('Its JavaScript was not translated');
  await screenshot(page, 'canvas-nodered-report');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('tab', { name: 'Morning' })).toHaveAttribute('aria-selected', 'true');
  // Converted nodes (the mqtt out to msg.topic publishes to the message's topic), the function's
  // placeholder and every wire.
  await expect(canvas.nodes).toHaveCount(11);
  await expect(page.locator('[data-kind="nodered.unconverted"]')).toHaveCount(1);
  await expect(canvas.nodes.locator('[data-kind="action.mqtt-publish"]')).toHaveCount(1);

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'canvas-dark');
  // The theme and the panel layout are remembered across reloads.
  await page.getByRole('button', { name: 'Palette', exact: true }).click();
  await page.reload();
  await canvas.open();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('palette')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});
