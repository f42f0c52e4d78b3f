import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FieldgraphError } from '../../../../shared/core/errors';
import { discovered, discoveryState, startDemo } from '../../../../renderer/src/flows/devices.svelte';
import { fakeApi as fake } from '../../../helpers/fake-api';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

const status = { mdnsInterfaces: [], mqtt: ['mqtt://127.0.0.1:18830'], serial: false, problems: [] };
const demoRelay = {
  id: 'demo-relay',
  name: 'Demo relay',
  kind: 'relay',
  sources: ['mqtt' as const],
  identity: { topic: 'demo_relay' },
  model: null,
  addresses: [],
  online: true,
  lastSeen: 1_700_000_000_000,
  site: 'Demo site',
  room: null,
  warnings: [],
  sightings: [],
};

beforeEach(() => {
  fake.reset();
  discoveryState.error = null;
  fake.services.discovery = { list: () => ({ devices: [demoRelay], status }) };
  fake.services.demo = { status: () => ({ running: true, brokerUrl: 'mqtt://127.0.0.1:18830' }) };
});

describe('startDemo', () => {
  it('starts the demo site and lists its devices', async () => {
    fake.services.demo = {
      ...fake.services.demo,
      start: () => ({ brokerUrl: 'mqtt://127.0.0.1:18830', devices: ['demo-relay'] }),
    };
    const starting = startDemo();
    expect(discoveryState.starting).toBe(true);
    await starting;
    expect(discoveryState.starting).toBe(false);
    expect(discoveryState.error).toBeNull();
    expect(discovered.devices.map((d) => d.id)).toEqual(['demo-relay']);
  });

  it('is content when the demo site already runs', async () => {
    fake.services.demo = {
      ...fake.services.demo,
      start: () => {
        throw new FieldgraphError('demo.already_running', 'The demo site is already running.');
      },
    };
    await startDemo();
    expect(discoveryState.error).toBeNull();
    expect(discovered.devices.map((d) => d.id)).toEqual(['demo-relay']);
  });

  it('says which part of the demo site failed', async () => {
    fake.services.demo = {
      ...fake.services.demo,
      start: () => {
        throw new FieldgraphError('demo.failed', 'The demo broker could not listen on 127.0.0.1:18830.');
      },
    };
    await startDemo();
    expect(discoveryState.error).toBe('The demo broker could not listen on 127.0.0.1:18830.');
    expect(discoveryState.starting).toBe(false);
  });
});
