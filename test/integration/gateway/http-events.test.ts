/**
 * HTTP events over server-sent events and long-poll, end to end with real parts: a real local
 * HTTP device (node:http on 127.0.0.1) describes itself with a Thing Description; Fieldgraph
 * imports it (relative hrefs against the URL it came from), a real gateway runtime on
 * mosquitto runs flows triggered by the device's SSE event and long-polled property, and
 * follows the stream again after the device drops it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../../../shared/core/model/catalog';
import { importThingDescription } from '../../../shared/core/model/wot/import';
import { createEngineRunner } from '../../../shared/node/gateway/engine-runner';
import { loadProjectFlowSet } from '../../../shared/node/gateway/project';
import { startGateway } from '../../../shared/node/gateway/runtime';
import { loadLibrary } from '../../../shared/node/library/load';
import { silentLogger } from '../../../shared/node/log';
import { useCleanups } from '../../helpers/cleanups';
import { startMosquitto } from '../../helpers/mosquitto';
import { flow } from './fixtures';
import { connectClient, trustedInstaller, waitFor } from './helpers';

const cleanups = useCleanups();

/** A device that serves its TD, an SSE stream of door events and a long-polled battery level. */
const startDevice = async () => {
  const streams = new Set<ServerResponse>();
  const polls: ServerResponse[] = [];
  let connects = 0;
  let lastEventIds: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/wot') {
      res.writeHead(200, { 'content-type': 'application/td+json' });
      res.end(
        JSON.stringify({
          '@context': 'https://www.w3.org/2022/wot/td/v1.1',
          title: 'Door sensor',
          securityDefinitions: { n: { scheme: 'nosec' } },
          security: 'n',
          properties: {
            battery: {
              type: 'number',
              readOnly: true,
              observable: true,
              forms: [
                { href: '/properties/battery', op: 'readproperty' },
                { href: '/properties/battery/observe', op: 'observeproperty', subprotocol: 'longpoll' },
              ],
            },
          },
          events: {
            opened: {
              data: { type: 'object', properties: { door: { type: 'string' } } },
              forms: [
                {
                  href: '/events',
                  subprotocol: 'sse',
                  contentType: 'text/event-stream',
                  'fg:sseEvent': 'opened',
                },
              ],
            },
          },
        }),
      );
      return;
    }
    if (req.url === '/events') {
      connects++;
      lastEventIds.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': hello\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.url === '/properties/battery/observe') {
      polls.push(res);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of streams) s.destroy();
        for (const p of polls) p.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects: () => connects,
    lastEventIds: () => lastEventIds,
    streams: () => streams.size,
    pending: () => polls.filter((p) => !p.writableEnded && !p.destroyed).length,
    /** Sends one SSE message to every open stream. */
    emit: (event: string, data: unknown, id: string) => {
      for (const s of streams) s.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    /** Answers the waiting long-poll with a value. */
    answer: (value: unknown) => {
      const res = polls.find((p) => !p.writableEnded && !p.destroyed);
      res?.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    },
    dropStreams: () => {
      for (const s of streams) s.destroy();
      lastEventIds = lastEventIds.slice();
    },
  };
};

describe('HTTP events on the gateway', () => {
  it('runs flows on a device’s SSE events and long-polled values, and reconnects after a drop', async () => {
    const device = await startDevice();
    // Import the device's TD as a user would from its URL.
    const lib = await loadLibrary();
    const td = (await (await fetch(`${device.url}/.well-known/wot`)).json()) as unknown;
    const imported = importThingDescription(td, createCatalog(lib.capabilities, lib.models), {
      file: 'door.td.json',
      base: `${device.url}/.well-known/wot`,
    });
    expect(imported.ok ? imported.report.skipped : imported.problems).toEqual([]);
    if (!imported.ok) return;
    expect(imported.model.implements.main!.events!.opened!.subscribe).toEqual([
      { kind: 'http', url: `${device.url}/events`, mode: 'sse', event: 'opened', format: 'json' },
    ]);

    const dir = cleanups.tempDir('fg-http-events-');
    for (const sub of ['flows', 'sites', 'models']) mkdirSync(join(dir, sub), { recursive: true });
    const json = (path: string, value: unknown) => writeFileSync(join(dir, path), JSON.stringify(value));
    const capability = imported.capabilities[0]!;
    json('fieldgraph.json', {
      schemaVersion: 1,
      id: 'doors',
      name: 'Doors',
      roles: [{ id: 'door', capability: capability.id }],
    });
    json(`models/${imported.model.id}.json`, imported.model);
    json(`models/${capability.id}.json`, capability);
    json('sites/home.json', {
      id: 'home',
      name: 'Home',
      rooms: [],
      devices: [{ id: 'door1', name: 'Front door', model: imported.model.id, identity: {}, variables: {} }],
      bindings: [{ role: 'door', device: 'door1' }],
      gateways: [],
    });
    json(
      'flows/opened.json',
      flow(
        'opened',
        [
          ['t', 'trigger.device-event', { role: 'door', event: 'opened' }],
          ['pub', 'action.mqtt-publish', { topic: 'test/door/opened', payload: 'payload.door' }],
        ],
        [['t', 'pub']],
        undefined,
        ['door'],
      ),
    );
    json(
      'flows/battery.json',
      flow(
        'battery',
        [
          ['t', 'trigger.property-change', { role: 'door', property: 'battery' }],
          ['pub', 'action.mqtt-publish', { topic: 'test/door/battery', payload: 'string(payload)' }],
        ],
        [['t', 'pub']],
        undefined,
        ['door'],
      ),
    );

    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const probe: MqttClient = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const heard: { topic: string; payload: string }[] = [];
    probe.on('message', (topic, payload) => heard.push({ topic, payload: payload.toString() }));
    await new Promise<void>((r) => probe.subscribe('test/door/#', () => r()));

    const gw = await startGateway({
      id: 'gw-http',
      broker: { url: m.url },
      dataDir: cleanups.tempDir('fg-gwdata-'),
      trust: [trustedInstaller],
      log: silentLogger,
      createRunner: (set, io) => createEngineRunner(set, io, 'gw-http'),
    });
    cleanups.push(() => gw.stop());
    await gw.load(await loadProjectFlowSet(dir, silentLogger));

    await waitFor(
      () => device.streams() === 1 && device.pending() === 1,
      10_000,
      'the gateway to open the stream and the poll',
    );
    device.emit('opened', { door: 'front' }, '1');
    device.emit('closed', { door: 'front' }, '2');
    await waitFor(() => heard.some((h) => h.topic === 'test/door/opened'), 10_000, 'the opened event');
    device.answer(87);
    await waitFor(() => heard.some((h) => h.topic === 'test/door/battery'), 10_000, 'the battery value');
    expect(heard).toContainEqual({ topic: 'test/door/opened', payload: 'front' });
    expect(heard).toContainEqual({ topic: 'test/door/battery', payload: '87' });
    // Only the `opened` event type runs the flow.
    expect(heard.filter((h) => h.topic === 'test/door/opened')).toHaveLength(1);
    // The long-poll asks again at once.
    await waitFor(() => device.pending() === 1, 10_000, 'the next long-poll');

    // The device drops the stream: the gateway reconnects, saying where it was, and carries on.
    device.dropStreams();
    await waitFor(() => device.connects() === 2 && device.streams() === 1, 15_000, 'the reconnect');
    expect(device.lastEventIds()[1]).toBe('2');
    device.emit('opened', { door: 'back' }, '3');
    await waitFor(() => heard.some((h) => h.payload === 'back'), 10_000, 'the event after the reconnect');
    expect(
      gw
        .status()
        .flows?.map((f) => f.id)
        .sort(),
    ).toEqual(['battery', 'opened']);
  });
});
