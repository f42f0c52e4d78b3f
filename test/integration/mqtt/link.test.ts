import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../../shared/node/broker/embedded';
import { connectMqtt, type MqttLink } from '../../../shared/node/mqtt/link';
import { waitFor } from '../gateway/helpers';
import { useCleanups } from '../../helpers/cleanups';
import { startMosquitto } from '../../helpers/mosquitto';

const cleanups = useCleanups();

const setup = async (): Promise<{ a: MqttLink; b: MqttLink }> => {
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => broker.close());
  const links = ['a', 'b'].map((id) => connectMqtt({ url: broker.url, clientId: `link-${id}` }));
  for (const link of links) cleanups.push(() => link.end(true));
  await Promise.all(links.map((l) => l.ready(5_000)));
  return { a: links[0], b: links[1] };
};
const settle = () => new Promise((r) => setTimeout(r, 150));

describe('routed MQTT link', () => {
  it('runs a handler once per message even under overlapping filters, and `a/#` matches `a`', async () => {
    const { a, b } = await setup();
    const seen: string[] = [];
    const handler = (topic: string, payload: Buffer) => seen.push(`${topic}=${payload.toString()}`);
    a.subscribe('site/#', handler);
    a.subscribe('site/+/temp', handler);
    a.subscribe('site/room1/temp', handler);
    const other: string[] = [];
    a.subscribe('site/+/temp', (topic) => other.push(topic));
    await settle();
    b.publishFast('site/room1/temp', '21');
    b.publishFast('site', 'root');
    b.publishFast('elsewhere/room1/temp', 'no');
    await waitFor(() => seen.length >= 2 && other.length >= 1, 5_000, 'the messages');
    await settle();
    expect(seen.sort()).toEqual(['site/room1/temp=21', 'site=root']);
    expect(other).toEqual(['site/room1/temp']);
  });

  it('stops delivering after the last handler of a filter is removed, and publishes in order when corked', async () => {
    const { a, b } = await setup();
    const seen: string[] = [];
    const stop = a.subscribe('out/#', (_t, p) => seen.push(p.toString()));
    await settle();
    for (let i = 0; i < 500; i++) b.publishFast('out/x', String(i));
    await waitFor(() => seen.length === 500, 5_000, '500 messages');
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
    stop();
    await settle();
    b.publishFast('out/x', 'late');
    await settle();
    expect(seen).toHaveLength(500);
  });

  it('keeps delivering to the other handlers when one throws, and says so', async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => broker.close());
    const failures: string[] = [];
    const a = connectMqtt({
      url: broker.url,
      clientId: 'link-throws',
      onHandlerError: (_e, topic) => failures.push(topic),
    });
    const b = connectMqtt({ url: broker.url, clientId: 'link-sender' });
    for (const link of [a, b]) cleanups.push(() => link.end(true));
    await Promise.all([a.ready(5_000), b.ready(5_000)]);
    const seen: string[] = [];
    a.subscribe('dev/#', () => {
      throw new Error('bad device data');
    });
    a.subscribe('dev/x', (_t, p) => seen.push(p.toString()));
    await settle();
    b.publishFast('dev/x', '1');
    b.publishFast('dev/x', '2');
    await waitFor(() => seen.length === 2, 5_000, 'both messages');
    expect(failures).toEqual(['dev/x', 'dev/x']);
    expect(a.connected()).toBe(true);
  });
});

describe('backpressure on the link', () => {
  it('reads nothing more while a throttle is busy, and everything, in order, once it resumes', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const a = connectMqtt({ url: m.url, clientId: 'link-slow' });
    const b = connectMqtt({ url: m.url, clientId: 'link-fast' });
    for (const link of [a, b]) cleanups.push(() => link.end(true));
    await Promise.all([a.ready(5_000), b.ready(5_000)]);
    const seen: number[] = [];
    let busy = false;
    const gate = a.throttle(() => busy);
    a.subscribe('bp/x', (_t, payload) => {
      seen.push(Number(payload.toString()));
      if (seen.length === 1) busy = true; // full after the first message
    });
    await settle();
    for (let i = 0; i < 2_000; i++) b.publishFast('bp/x', String(i));
    await waitFor(() => seen.length > 0, 5_000, 'the first message');
    await new Promise((r) => setTimeout(r, 400));
    // at most the packets of the socket read in hand: here the one, since each waits for the gate
    expect(seen).toEqual([0]);
    busy = false;
    gate.resume();
    await waitFor(() => seen.length === 2_000, 10_000, 'every message after resuming');
    expect(seen).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    gate.release();
  });
});
