import mqtt from 'mqtt';
import { startMosquitto } from '../helpers/mosquitto';
import { expect, screenshot, test } from './fixtures';
import { InspectorPage } from './pages/inspector';

test('the Broker view shows a topic tree with history, a diff and a plot; publishes; deletes a retained message', async ({
  page,
  pageErrors,
}) => {
  const broker = await startMosquitto();
  const device = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    await device.publishAsync('tele/kitchen_relay/LWT', 'Online', { retain: true, qos: 1 });
    await device.publishAsync('homeassistant/switch/kitchen_relay_1/config', '{"name":"Kitchen"}', {
      retain: true,
      qos: 1,
    });
    // Calls the page makes for a topic's history, counted from a fresh load of the page.
    let historyCalls = 0;
    page.on('websocket', (ws) =>
      ws.on('framesent', (frame) => {
        if (String(frame.payload).includes('"inspector.history"')) historyCalls++;
      }),
    );
    await page.reload();
    const inspector = new InspectorPage(page);
    await inspector.open();
    await inspector.inspect(broker.url);
    await expect(inspector.status).toContainText('Connected to mqtt://127.0.0.1:');
    await expect(inspector.row('tele')).toBeVisible();

    // A sensor reporting: the history keeps each message, the diff names what changed, the plot draws the numbers.
    for (let i = 0; i < 8; i++) {
      await device.publishAsync(
        'tele/kitchen_relay/SENSOR',
        JSON.stringify({
          Time: `2024-01-01T00:00:0${i}`,
          DS18B20: { Temperature: 20 + (i % 4) * 0.5 },
          TempUnit: 'C',
        }),
        { qos: 1 },
      );
      await new Promise((r) => setTimeout(r, 60));
    }
    await inspector.pick('tele/kitchen_relay/SENSOR');
    await expect(inspector.detail.getByTestId('topic-name')).toHaveText('tele/kitchen_relay/SENSOR');
    await expect(inspector.history.locator('li')).toHaveCount(8);
    await expect(inspector.detail.getByTestId('topic-diff')).toContainText('DS18B20.Temperature');
    await expect(inspector.detail.getByTestId('topic-diff')).toContainText('Time');
    await expect(inspector.plot).toContainText('8 values');
    await expect(inspector.plot.locator('polyline')).toHaveAttribute('points', /(\d+\.\d,\d+\.\d ){7}\d/);
    await expect(inspector.plot).toContainText('DS18B20.Temperature');
    await screenshot(page, 'inspector-history-plot');

    // One more message while the topic is open, then nothing new, nothing asked: a fetch's own
    // answer once started the next one, hundreds of calls a second. A batch arriving late may
    // still ask once or twice.
    await device.publishAsync('tele/kitchen_relay/SENSOR', '{"DS18B20":{"Temperature":22}}', { qos: 1 });
    await expect(inspector.history.locator('li')).toHaveCount(9);
    const asked = historyCalls;
    await page.waitForTimeout(2000);
    expect(historyCalls - asked).toBeLessThan(5);

    // Publishing: another client on the broker receives it.
    const received = new Promise<string>((resolve) =>
      device.on(
        'message',
        (topic, payload) => topic === 'cmnd/kitchen_relay/POWER' && resolve(payload.toString()),
      ),
    );
    await device.subscribeAsync('cmnd/kitchen_relay/POWER', { qos: 1 });
    await inspector.publish('cmnd/kitchen_relay/POWER', 'TOGGLE', { qos: 1 });
    await expect(page.getByTestId('publish-note')).toHaveText('Published to cmnd/kitchen_relay/POWER.');
    expect(await received).toBe('TOGGLE');

    // Deleting a retained message asks first; afterwards a new subscriber gets nothing there.
    await inspector.pick('homeassistant/switch/kitchen_relay_1/config');
    await expect(inspector.detail.getByTestId('retained-badge')).toBeVisible();
    await inspector.detail.getByRole('button', { name: 'Delete retained message…' }).click();
    const dialog = page.getByTestId('confirm-delete');
    await expect(dialog).toContainText('homeassistant/switch/kitchen_relay_1/config');
    await screenshot(page, 'inspector-confirm-delete');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(inspector.detail.getByTestId('retained-badge')).toHaveCount(0);
    const fresh = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const retained: string[] = [];
    fresh.on('message', (topic) => retained.push(topic));
    await fresh.subscribeAsync('#', { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
    await fresh.endAsync(true);
    expect(retained).toEqual(['tele/kitchen_relay/LWT']);
    await screenshot(page, 'inspector-after-delete');
    expect(pageErrors).toEqual([]);
  } finally {
    await device.endAsync(true);
    await broker.stop();
  }
});
