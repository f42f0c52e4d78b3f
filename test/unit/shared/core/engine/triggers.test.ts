import { describe, expect, it } from 'vitest';
import { bench, edge, flow, node, stepsOf } from './harness';

const withProbe = (trigger: ReturnType<typeof node>) =>
  flow('f', [trigger, node('probe', 'action.log', { message: '"probe"' })], [edge(trigger.id, 'probe')]);

const probed = (b: ReturnType<typeof bench>) =>
  b.traces.flatMap((t) => stepsOf(t, 'probe').map((s) => s.input));

describe('trigger nodes', () => {
  it('manual: the named Manual trigger starts the run (the inject button), the first one when none is named', () => {
    const b = bench([
      flow(
        'f',
        [
          node('a', 'trigger.manual'),
          node('b', 'trigger.manual'),
          node('probe', 'action.log', { message: '"probe"' }),
        ],
        [edge('a', 'probe'), edge('b', 'probe')],
      ),
    ]);
    b.engine.start();
    b.engine.runManual('f', 1, 'b');
    b.engine.runManual('f', 2);
    expect(b.traces.map((t) => [t.trigger.nodeId, stepsOf(t, 'probe')[0]?.input])).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    expect(() => b.engine.runManual('f', 3, 'probe')).toThrow(/no Manual trigger "probe"/);
  });

  it('device event starts a run with the event data, filtered by its condition', () => {
    const b = bench([
      withProbe(
        node('t', 'trigger.device-event', {
          role: 'button',
          event: 'pressed',
          condition: 'payload.count == 2',
        }),
      ),
    ]);
    b.engine.start();
    b.engine.deliverDeviceEvent('button', 'pressed', { count: 1 });
    b.engine.deliverDeviceEvent('button', 'pressed', { count: 2 });
    b.engine.deliverDeviceEvent('button', 'held', { count: 2 });
    expect(probed(b)).toEqual([{ count: 2 }]);
    expect(b.traces[0]?.trigger).toEqual({ nodeId: 't', kind: 'trigger.device-event' });
  });

  it('property change fires on changed values that meet the condition, and feeds `roles`', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.property-change', {
          role: 'sensor',
          property: 'temperature',
          condition: 'payload > 25',
        }),
        node('probe', 'action.log', { message: 'string(roles.sensor.temperature)' }),
      ],
      [edge('t', 'probe')],
    );
    const b = bench([f]);
    b.engine.start();
    for (const v of [20, 26, 26, 27]) b.engine.deliverPropertyChange('sensor', 'temperature', v);
    expect(probed(b)).toEqual([26, 27]);
    expect(b.logs.map((l) => l.text)).toEqual(['26', '27']);
  });

  it('MQTT message parses JSON, matches wildcards and subscribes its filter', () => {
    const b = bench([withProbe(node('t', 'trigger.mqtt', { topic: 'sensors/+/temp' }))]);
    b.engine.start();
    expect([...b.subscribed]).toEqual(['sensors/+/temp']);
    b.engine.deliverMqtt('sensors/hall/temp', new TextEncoder().encode('{"t":21}'));
    b.engine.deliverMqtt('sensors/hall/humidity', '{"h":1}');
    b.engine.deliverMqtt('sensors/attic/temp', 'not json');
    expect(probed(b)).toEqual([{ t: 21 }, 'not json']);
    b.engine.stop();
    expect(b.subscribed.size).toBe(0);
  });

  it('MQTT message in text format keeps the text', () => {
    const b = bench([withProbe(node('t', 'trigger.mqtt', { topic: 'a/#', format: 'text' }))]);
    b.engine.start();
    b.engine.deliverMqtt('a/b/c', '{"x":1}');
    expect(probed(b)).toEqual(['{"x":1}']);
  });

  it('interval fires every period and keeps its phase across a restart', () => {
    const store = { saves: 0 };
    const f = withProbe(node('t', 'trigger.interval', { seconds: 60 }));
    const b = bench([f], { store });
    b.clock.time = Date.UTC(2026, 0, 1, 0, 0, 30);
    b.engine.start();
    b.clock.advance(90_000);
    expect(probed(b)).toHaveLength(2);
    b.engine.stop();
    b.clock.advance(20_000);
    const again = bench([f], { store, clock: b.clock });
    again.engine.start();
    expect(probed(again)).toHaveLength(0);
    b.clock.advance(39_999);
    expect(probed(again)).toHaveLength(0);
    b.clock.advance(1);
    expect(probed(again)).toHaveLength(1);
    expect(new Date(b.clock.time).toISOString()).toBe('2026-01-01T00:03:00.000Z');
  });

  it('a schedule missed while stopped fires once on start', () => {
    const store = { saves: 0 };
    const f = withProbe(node('t', 'trigger.interval', { seconds: 60 }));
    const b = bench([f], { store });
    b.engine.start();
    b.engine.stop();
    b.clock.advance(10 * 60_000);
    const again = bench([f], { store, clock: b.clock });
    again.engine.start();
    expect(probed(again)).toEqual([expect.objectContaining({ late: true })]);
  });

  it('cron fires on its pattern in its time zone', () => {
    const b = bench([withProbe(node('t', 'trigger.cron', { cron: '0 7 * * *', timezone: 'UTC' }))]);
    b.clock.time = Date.UTC(2026, 0, 1, 6, 0);
    b.engine.start();
    b.clock.advance(2 * 86_400_000);
    expect(probed(b).map((p) => new Date((p as { scheduledAt: number }).scheduledAt).toISOString())).toEqual([
      '2026-01-01T07:00:00.000Z',
      '2026-01-02T07:00:00.000Z',
    ]);
  });

  it('sun fires at sunset (offline, suncalc) with the offset', () => {
    const b = bench([
      withProbe(
        node('t', 'trigger.sun', { event: 'sunset', offsetMinutes: -30, latitude: 52.52, longitude: 13.405 }),
      ),
    ]);
    b.clock.time = Date.UTC(2026, 5, 21, 0, 0);
    b.engine.start();
    b.clock.advance(86_400_000);
    const fired = probed(b).map((p) => new Date((p as { scheduledAt: number }).scheduledAt));
    expect(fired).toHaveLength(1);
    // Berlin sunset at midsummer is about 19:33 UTC; 30 minutes earlier is about 19:03.
    expect(fired[0]!.getUTCHours()).toBe(19);
    expect(fired[0]!.getUTCMinutes()).toBeLessThan(10);
  });

  it('gateway started fires once per start', () => {
    const b = bench([withProbe(node('t', 'trigger.gateway-started'))]);
    b.engine.start();
    b.engine.start();
    expect(probed(b)).toHaveLength(1);
  });
});
