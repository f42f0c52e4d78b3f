import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { startEmbeddedBroker } from '../../../shared/node/broker/embedded';
import { silentLogger } from '../../../shared/node/log';
import { createServices } from '../../../shared/node/services';
import { useCleanups } from '../../helpers/cleanups';
import { startMosquitto } from '../../helpers/mosquitto';
import { waitForValue } from '../../helpers/wait';

interface Topic {
  topic: string;
  count: number;
  retained: boolean;
  preview: string;
}
interface Batch {
  status: { connected: boolean; exactRetain: boolean; topics: number };
  topics: Topic[];
}

const cleanups = useCleanups();

const services = () => {
  const hub = createEventHub();
  const batches: Batch[] = [];
  hub.subscribe((event, payload) => event === 'onInspectorBatch' && batches.push(payload as Batch));
  const dispatch = createDispatcher(
    createServices({ runtime: 'web', dataDir: cleanups.tempDir('fg-insp-'), hub, log: silentLogger }),
    { checkResults: true },
  );
  const call = async (method: string, args: unknown = {}) => {
    const result = await dispatch(method, args, { transport: 'direct' });
    return result;
  };
  cleanups.push(() => call('inspector.stop'));
  return { call, batches };
};

const latest = (batches: Batch[], topic: string): Topic | undefined =>
  batches
    .flatMap((b) => b.topics)
    .filter((t) => t.topic === topic)
    .at(-1);

describe('the MQTT inspector service on a real broker', () => {
  it('sees every topic with counts and retained flags, keeps history, publishes and deletes a retained message (mosquitto, MQTT 5)', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const device = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    cleanups.push(() => device.endAsync(true));
    await device.publishAsync('site/hall/lwt', 'Online', { retain: true, qos: 1 });
    const { call, batches } = services();

    const started = await call('inspector.start', { brokerUrl: broker.url });
    expect(started).toMatchObject({ ok: true, value: { connected: true, exactRetain: true } });
    // A retained message arrives on subscription with its flag.
    expect(await waitForValue(() => latest(batches, 'site/hall/lwt'), 'the retained topic')).toMatchObject({
      retained: true,
      count: 1,
      preview: 'Online',
    });

    for (let i = 0; i < 5; i++) await device.publishAsync('site/hall/temp', String(20 + i), { qos: 1 });
    // MQTT 5 "retain as published": a live retained message keeps its flag.
    await device.publishAsync('site/hall/mode', '{"mode":"auto","level":3}', { retain: true, qos: 1 });
    const temp = await waitForValue(
      () => (latest(batches, 'site/hall/temp')?.count === 5 ? latest(batches, 'site/hall/temp') : undefined),
      'five temperatures',
    );
    expect(temp).toMatchObject({ retained: false, preview: '24' });
    expect(await waitForValue(() => latest(batches, 'site/hall/mode'), 'live retained')).toMatchObject({
      retained: true,
    });
    const history = await call('inspector.history', { topic: 'site/hall/temp' });
    expect(
      history.ok && (history.value as { messages: { text: string }[] }).messages.map((m) => m.text),
    ).toEqual(['20', '21', '22', '23', '24']);
    const after = await call('inspector.history', { topic: 'site/hall/temp', after: 0 });
    const seqs = (after as { value: { messages: { seq: number }[] } }).value.messages.map((m) => m.seq);
    const tail = await call('inspector.history', { topic: 'site/hall/temp', after: seqs[2] });
    expect((tail as { value: { messages: { text: string }[] } }).value.messages.map((m) => m.text)).toEqual([
      '23',
      '24',
    ]);

    // Publish from the inspector: another client gets it, retained.
    const seen = new Promise<{ payload: string; retain: boolean }>((resolve) => {
      device.on('message', (topic, payload, packet) => {
        if (topic === 'site/hall/cmd') resolve({ payload: payload.toString(), retain: packet.retain });
      });
    });
    await device.subscribeAsync('site/hall/cmd', { qos: 1 });
    expect(
      await call('inspector.publish', { topic: 'site/hall/cmd', payload: 'ON', qos: 1, retain: true }),
    ).toEqual({ ok: true, value: { topic: 'site/hall/cmd' } });
    expect(await seen).toEqual({ payload: 'ON', retain: false });
    await waitForValue(
      () => (latest(batches, 'site/hall/cmd')?.retained ? true : undefined),
      'published retained',
    );

    // Delete the retained message: a new subscriber gets nothing on that topic.
    expect(await call('inspector.deleteRetained', { topic: 'site/hall/lwt' })).toMatchObject({ ok: true });
    await waitForValue(
      () => (latest(batches, 'site/hall/lwt')?.retained === false ? true : undefined),
      'the retained flag cleared',
    );
    const fresh = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    cleanups.push(() => fresh.endAsync(true));
    const got: string[] = [];
    fresh.on('message', (topic) => got.push(topic));
    await fresh.subscribeAsync('site/#', { qos: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(got.sort()).toEqual(['site/hall/cmd', 'site/hall/mode']);

    // Wildcards and empty topics are refused with a code, before anything is sent.
    expect(
      await call('inspector.publish', { topic: 'site/+/x', payload: '', qos: 0, retain: false }),
    ).toMatchObject({
      ok: false,
      error: { code: 'inspector.bad_topic' },
    });
  });

  it('falls back to MQTT 3.1.1 on the embedded broker and names an unreachable broker', async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => broker.close());
    const { call, batches } = services();
    const started = await call('inspector.start', { brokerUrl: broker.url });
    expect(started).toMatchObject({ ok: true, value: { connected: true, exactRetain: false } });
    const device = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    cleanups.push(() => device.endAsync(true));
    await device.publishAsync('a/b', Buffer.from([0, 1, 2, 255]), { qos: 0 });
    expect(await waitForValue(() => latest(batches, 'a/b'), 'a binary payload')).toMatchObject({
      preview: 'binary, 4 bytes: 00 01 02 ff',
    });
    const unreachable = await call('inspector.start', { brokerUrl: 'mqtt://127.0.0.1:1' });
    expect(unreachable).toMatchObject({ ok: false, error: { code: 'inspector.broker_unreachable' } });
    expect(await call('inspector.start', {})).toMatchObject({
      ok: false,
      error: { code: 'inspector.no_broker' },
    });
  });
});
