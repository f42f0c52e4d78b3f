import mqtt from 'mqtt';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { LivePage } from './pages/live';

const SENSOR = 'mac:b4e62d112233';
const RELAY = 'topic:demo_relay';

/** A client on the demo broker standing in for the motion sensor, and watching the relay. */
const siteClient = async (url: string) => {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
  const power: string[] = [];
  client.on(
    'message',
    (topic, payload) => topic === 'stat/demo_relay/POWER' && power.push(payload.toString()),
  );
  await client.subscribeAsync('stat/demo_relay/POWER');
  return {
    power,
    /** What the virtual ESPHome sensor publishes when it sees motion, and when it clears. */
    motion: (on: boolean) =>
      client.publishAsync('demo-sensor/binary_sensor/motion/state', on ? 'ON' : 'OFF', { retain: true }),
    relayOff: () => client.publishAsync('cmnd/demo_relay/POWER', 'OFF'),
    end: () => client.endAsync(),
  };
};

test('try it on the demo: motion lights the trigger and the action on the canvas, the relay switches on, the debug sidebar shows the Log line, and the run’s trace shows each step', async ({
  page,
  pageErrors,
}) => {
  test.setTimeout(180_000);
  const canvas = new CanvasPage(page);
  const live = new LivePage(page);
  await canvas.open();
  await page.getByTestId('start-demo').click();
  await expect(page.locator(`[data-testid="palette"] [data-device="${SENSOR}"]`)).toBeEnabled({
    timeout: 30_000,
  });
  await expect(page.locator(`[data-testid="palette"] [data-device="${RELAY}"]`)).toBeEnabled({
    timeout: 30_000,
  });

  // Motion → relay on, and a Log line saying what came in; nothing saved: try-it runs the open design.
  await canvas.dropDevice(SENSOR, 'When Demo sensor Motion detected changes', {
    x: 80,
    y: 150,
  });
  await canvas.dropDevice(RELAY, 'Set Demo relay On', { x: 460, y: 110 });
  const [trigger, action] = await canvas.nodeIds();
  await canvas.connect([trigger!, 'out'], [action!, 'in']);
  await canvas.select(trigger!);
  await canvas.field('condition').fill('payload == true');
  await canvas.quickAdd({ x: 460, y: 300 }, 'action.log');
  const log = (await canvas.nodeIds()).find((id) => id !== trigger && id !== action)!;
  await canvas.connect([trigger!, 'out'], [log, 'in']);
  await canvas.select(log);
  await canvas.field('message').fill('"motion seen: " + string(payload)');
  await expect(canvas.edges).toHaveCount(2);
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');

  await page.getByTestId('auto-layout').click();

  const broker = await live.tryIt();
  await expect(page.getByTestId('try-it-state')).toHaveText(/Trying · 1 flow/);
  const site = await siteClient(broker);
  try {
    await site.relayOff();
    await site.motion(false);
    // The virtual sensor also sees motion now and then by itself: counts are compared, not fixed.
    const before = await live.count(trigger!);
    await live.recordGlow();
    await site.motion(true);

    // The trigger and both nodes after it ran, glow, and show what they passed on; the wires count messages.
    await expect.poll(() => live.count(trigger!), { timeout: 15_000 }).toBeGreaterThan(before);
    const ran = await live.count(trigger!);
    for (const id of [action!, log]) await expect.poll(() => live.count(id)).toBe(ran);
    await expect.poll(() => live.glowed()).toEqual([trigger!, action!, log].sort());
    await expect(live.value(trigger!)).toHaveText('true');
    await expect(live.value(log)).toHaveText('true');
    const edgeIds = await page
      .locator('.svelte-flow__edge')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    for (const id of edgeIds) await expect(live.edgeCount(id!)).toHaveText(String(ran));
    await expect.poll(() => site.power).toContain('ON');
    await screenshot(page, 'live-overlay');
    // The glow fades when nothing runs; the counts stay.
    await expect(live.box(action!)).not.toHaveClass(/hot/, { timeout: 5_000 });
    expect(await live.count(action!)).toBeGreaterThanOrEqual(ran);

    // The debug sidebar: the Log node's line, filterable, and a click selects its node.
    await live.openDebug();
    await expect(live.debugLines.first()).toContainText('motion seen: true');
    const lines = await live.debugLines.count();
    expect(lines).toBeGreaterThanOrEqual(1);
    await page.getByTestId('debug-node').selectOption(log);
    await expect(live.debugLines).toHaveCount(lines);
    await page.getByTestId('debug-flow').selectOption({ label: 'Flow 1' });
    await expect(live.debugLines).toHaveCount(lines);
    await page.getByTestId('debug-node-link').first().click();
    await expect(canvas.node(log)).toHaveClass(/selected/);
    await screenshot(page, 'live-debug-sidebar');

    // Paused, new lines wait; resumed, they show; cleared, they go.
    await page.getByTestId('debug-pause').click();
    const shown = await live.debugLines.count();
    await site.motion(false);
    await site.motion(true);
    await expect(page.getByTestId('debug-pause')).toHaveText(/Resume \(\d+\)/, { timeout: 15_000 });
    await expect(live.debugLines).toHaveCount(shown);
    await page.getByTestId('debug-pause').click();
    await expect.poll(() => live.debugLines.count()).toBeGreaterThan(shown);
    await page.getByTestId('debug-clear').click();
    await expect(live.debugLines).toHaveCount(0);

    // The first run's trace: outcome, each step with its input and output, the version it ran on.
    await site.motion(false);
    await site.motion(true);
    await expect(live.debugLines.first()).toBeVisible({ timeout: 15_000 });
    await live.debug.getByRole('button', { name: 'trace' }).first().click();
    await expect(live.traces).toBeVisible();
    const detail = live.traces.getByTestId('trace-detail').first();
    await expect(detail.getByTestId('trace-outcome')).toHaveText('Finished');
    await expect(detail.getByTestId('trace-version')).toHaveText(/exactly the design as Try it started it/);
    await expect(live.steps).toHaveCount(3);
    await expect(live.steps.nth(0)).toHaveAttribute('data-node', trigger!);
    expect(
      new Set(await live.steps.evaluateAll((els) => els.slice(1).map((e) => e.getAttribute('data-node')))),
    ).toEqual(new Set([action!, log]));
    for (let i = 0; i < 3; i++) {
      await live.steps.nth(i).locator('button.row').click();
      await expect(live.steps.nth(i).getByTestId('step-input')).toHaveText('true');
    }
    await expect(live.traces.locator(`[data-node="${log}"] [data-testid="step-output"]`)).toHaveText(
      'out: true',
    );
    // Its path on the flow: all three nodes reached, each with its step number.
    await expect(live.traces.getByTestId('trace-canvas').locator('[data-testid="node-runs"]')).toHaveCount(3);
    await screenshot(page, 'live-trace');

    // Every run is kept; two side by side took the same path with the same values.
    await expect.poll(() => live.traces.getByTestId('trace-run').count()).toBeGreaterThanOrEqual(3);
    const boxes = live.traces.getByTestId('trace-compare');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await expect(live.traces.getByTestId('trace-detail')).toHaveCount(2);
    await expect(live.traces.getByTestId('trace-diff')).toHaveText(/same path with the same values/);
    await screenshot(page, 'live-trace-compare');

    await page.locator('nav[aria-label="Main"] [data-view="flows"]').click();
    await live.stop();
    await expect(live.runs(action!)).toHaveCount(0);
  } finally {
    await site.end();
  }
  expect(pageErrors).toEqual([]);
});

test('a Manual trigger runs from its own button; a node that fails is red on the canvas, in the debug sidebar and in the run’s trace, which shows the variable a step changed', async ({
  page,
  pageErrors,
}) => {
  test.setTimeout(180_000);
  const canvas = new CanvasPage(page);
  const live = new LivePage(page);
  await canvas.open();
  await page.getByTestId('start-demo').click();
  await expect(page.locator(`[data-testid="palette"] [data-device="${SENSOR}"]`)).toBeEnabled({
    timeout: 30_000,
  });
  await canvas.quickAdd({ x: 120, y: 150 }, 'trigger.manual');
  await canvas.quickAdd({ x: 420, y: 150 }, 'logic.transform');
  const [manual, transform] = await canvas.nodeIds();
  // Manual → Set variable (a changed variable in the trace) → Transform (fails).
  await canvas.quickAdd({ x: 270, y: 330 }, 'logic.set-variable');
  const setVariable = (await canvas.nodeIds()).find((id) => id !== manual && id !== transform)!;
  await canvas.connect([manual!, 'out'], [setVariable, 'in']);
  await canvas.connect([setVariable, 'out'], [transform!, 'in']);
  await canvas.select(setVariable);
  await canvas.field('name').fill('presses');
  await canvas.field('value').fill('1');
  await canvas.select(transform!);
  await canvas.field('payload').fill('payload.temp * 2');
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
  await page.getByTestId('auto-layout').click();
  // Before Try it, a Manual trigger has no button: nothing runs the design yet.
  await expect(canvas.node(manual!).getByTestId('inject')).toHaveCount(0);

  await live.tryIt();
  await canvas.node(manual!).getByTestId('inject').click();
  await expect(live.box(transform!)).toHaveClass(/failed/, { timeout: 15_000 });
  const error = canvas.node(transform!).getByTestId('node-error');
  await expect(error).toContainText('temp');
  await expect(live.runs(manual!)).toHaveText('1');
  await screenshot(page, 'live-overlay-error');

  await live.openDebug();
  const line = live.debugLines.first();
  await expect(line).toHaveClass(/error/);
  await expect(line).toContainText('logic.transform failed');
  await live.debug.getByRole('button', { name: 'trace' }).first().click();
  const detail = live.traces.getByTestId('trace-detail').first();
  await expect(detail.getByTestId('trace-outcome')).toHaveText('Failed');
  const failing = live.traces.locator(`[data-testid="trace-step"][data-node="${transform}"]`);
  await failing.locator('button.row').click();
  await expect(failing.getByTestId('step-error')).toContainText('temp');
  const setting = live.traces.locator(`[data-testid="trace-step"][data-node="${setVariable}"]`);
  await setting.locator('button.row').click();
  await expect(setting.getByTestId('step-variable')).toHaveText('presses: null → 1');
  await expect(live.traces.getByTestId('outcome-failed')).toContainText('1');
  await screenshot(page, 'live-trace-failed');

  await page.locator('nav[aria-label="Main"] [data-view="flows"]').click();
  await live.stop();
  await expect(canvas.node(manual!).getByTestId('inject')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});
