/**
 * The demo site end to end, as a new user tries it: open the demo site, draw motion → relay
 * against its virtual devices, deploy to the demo's own gateway (the Deploy view starts from the
 * demo's broker; pairing is open while the demo runs), and the virtual relay switches on when the
 * virtual motion sensor fires; then the Flows view follows the deployed gateway live and the
 * Traces view reads its runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { expect, screenshot, startWebApp, test as base, type WebApp } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { DeployPage } from './pages/deploy';
import { LivePage } from './pages/live';
import { ProjectUi } from './pages/project';

const test = base.extend<{ webApp: WebApp }>({
  // eslint-disable-next-line no-empty-pattern
  webApp: async ({}, use) => {
    // The installer key lives in the encrypted secrets file; scripts unlock it with this variable.
    const app = await startWebApp({ FIELDGRAPH_SECRETS_PASSPHRASE: 'e2e-passphrase' });
    try {
      await use(app);
    } finally {
      await app.stop();
    }
  },
});

test('open the demo site, draw motion → relay, deploy to the demo gateway, and the virtual relay reacts', async ({
  page,
  pageErrors,
}) => {
  test.setTimeout(180_000);
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-demo-deploy-'));
  const folder = join(work, 'hallway');
  let watcher: mqtt.MqttClient | undefined;
  try {
    const project = new ProjectUi(page);
    await project.create('Hallway', folder);
    await expect(project.name).toHaveText('Hallway');
    const canvas = new CanvasPage(page);
    await canvas.open();
    await page.getByTestId('start-demo').click();
    const sensor = page.locator('[data-testid="palette"] [data-device="mac:b4e62d112233"]');
    await expect(sensor).toBeEnabled({ timeout: 30_000 });
    await expect(page.locator('[data-testid="palette"] [data-device="topic:demo_relay"]')).toBeEnabled({
      timeout: 30_000,
    });

    await canvas.dropDevice('mac:b4e62d112233', 'When Demo sensor Motion detected changes', {
      x: 80,
      y: 150,
    });
    await canvas.dropDevice('topic:demo_relay', 'Set Demo relay On', { x: 420, y: 150 });
    const [trigger, action] = await canvas.nodeIds();
    await canvas.connect([trigger!, 'out'], [action!, 'in']);
    await canvas.select(trigger!);
    await canvas.field('condition').fill('payload == true');
    await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
    await canvas.openRoles();
    await expect(canvas.readiness).toHaveText(/Ready for “Site 1”: all 2 roles are bound/);
    await page.getByTestId('save-flows').click();
    await expect(page.getByTestId('save-flows')).toHaveText('Saved');

    // The Deploy view starts from the demo's broker and lists its gateway, online.
    const deploy = new DeployPage(page);
    await deploy.open();
    await expect(deploy.broker).toHaveValue(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    await expect(deploy.broker).not.toHaveValue('mqtt://127.0.0.1:1883');
    const brokerUrl = await deploy.broker.inputValue();
    await expect(deploy.gateway('demo-gateway')).toContainText('online', { timeout: 15_000 });
    await expect(deploy.view.getByTestId('deploy-notice')).toContainText('The demo site runs');
    await expect(deploy.project).toHaveValue(folder);
    await expect(deploy.site).toHaveValue('site-1');

    // Pairing is open on the demo gateway: the app's installer key is enrolled in one click.
    await deploy.gateway('demo-gateway').getByRole('button', { name: 'Pair' }).click();
    await expect(deploy.view.getByTestId('deploy-notice')).toContainText('demo-gateway now trusts key');

    await deploy.choose('demo-gateway');
    await deploy.preview();
    await expect(deploy.previews).toContainText('demo-gateway (running nothing)');
    await expect(deploy.previews).toContainText('+ flow-1');
    await expect(deploy.previews).not.toContainText('no RPC method');
    await screenshot(page, 'demo-deploy-preview');
    await deploy.deploy();
    await expect(deploy.result).toContainText(': delivered everywhere');
    await expect(deploy.view.getByTestId('deploy-steps')).toContainText('demo-gateway: committed');
    await screenshot(page, 'demo-deploy-done');

    // The virtual relay is off; the virtual motion sensor fires; the deployed flow switches the relay on.
    watcher = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    const power: string[] = [];
    watcher.on(
      'message',
      (topic, payload) => topic === 'stat/demo_relay/POWER' && power.push(payload.toString()),
    );
    await watcher.subscribeAsync('stat/demo_relay/POWER');
    const site = watcher;
    // Motion clears first: the virtual sensor also sees motion by itself now and then, and the
    // flow runs on a change, so ON after ON would not run it.
    const motionSwitchesRelayOn = async () => {
      await site.publishAsync('demo-sensor/binary_sensor/motion/state', 'OFF', { retain: true });
      await site.publishAsync('cmnd/demo_relay/POWER', 'OFF');
      await expect.poll(() => power.at(-1)).toBe('OFF');
      await site.publishAsync('demo-sensor/binary_sensor/motion/state', 'ON', { retain: true });
      await expect.poll(() => power.at(-1), { timeout: 30_000 }).toBe('ON');
    };
    await motionSwitchesRelayOn();

    // The deployed gateway live on the canvas (not try-it): the next motion lights the trigger and
    // the action and counts their runs; the run's trace names the package version it ran on.
    await canvas.open();
    const live = new LivePage(page);
    await live.watch('demo-gateway');
    await live.recordGlow();
    await motionSwitchesRelayOn();
    await expect.poll(() => live.count(trigger!), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => live.count(action!)).toBeGreaterThan(0);
    await expect.poll(() => live.glowed()).toEqual(expect.arrayContaining([trigger!, action!]));
    await expect(live.value(action!)).toHaveText('true');
    await screenshot(page, 'demo-deploy-live');

    await page.locator('nav[aria-label="Main"] [data-view="traces"]').click();
    const detail = live.traces.getByTestId('trace-detail').first();
    await expect(detail.getByTestId('trace-outcome')).toHaveText('Finished', { timeout: 15_000 });
    await expect(detail.getByTestId('trace-version')).toHaveText(
      /in package v\d+ — exactly the flow open in the editor/,
    );
    await expect(live.steps.first()).toHaveAttribute('data-node', trigger!);
    await screenshot(page, 'demo-deploy-trace');
    await canvas.open();
    await page.getByTestId('live-stop').click();
    await expect(page.getByTestId('try-it')).toBeVisible();
    await expect(live.runs(action!)).toHaveCount(0);
    expect(pageErrors).toEqual([]);
  } finally {
    await watcher?.endAsync(true);
    rmSync(work, { recursive: true, force: true });
  }
});
