import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  choices,
  keepDiscoveryChoices,
  restoreDiscoveryChoices,
} from '../../../../renderer/src/devices/choices.svelte';
import { clearSites, loadSites } from '../../../../renderer/src/flows/sites.svelte';
import { projectState } from '../../../../renderer/src/project/project-state.svelte';
import {
  loadWorkbench,
  saveWorkbench,
  siteBrokerUrl,
  withoutCredentials,
} from '../../../../renderer/src/project/workbench.svelte';
import { fakeApi as fake, memoryProject, projectSummary } from '../../../helpers/fake-api';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

const PATH = '/projects/hall';
let project: ReturnType<typeof memoryProject>;

const site = (id: string, extra: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  id,
  name: id,
  rooms: [],
  devices: [],
  bindings: [],
  gateways: [],
  ...extra,
});

/** Opens the project in the Flows view's sense: its sites listed and the first selected. */
const openWith = async (...ids: string[]) => {
  for (const id of ids) project.put('sites', id, site(id));
  projectState.summary = projectSummary({ path: PATH });
  await loadSites(PATH, []);
};

beforeEach(() => {
  clearSites();
  projectState.summary = null;
  localStorage.clear();
  fake.reset();
  project = memoryProject(PATH);
  fake.services.project = project.project;
});

describe('withoutCredentials', () => {
  it.each([
    ['mqtt://installer:s3cret@192.168.1.5:1883', 'mqtt://192.168.1.5:1883'],
    ['mqtts://installer@broker.site:8883', 'mqtts://broker.site:8883'],
    ['  mqtt://192.168.1.5:1883 ', 'mqtt://192.168.1.5:1883'],
    ['not a url', 'not a url'],
  ])('%s is kept as %s', (given, kept) => {
    expect(withoutCredentials(given)).toBe(kept);
  });
});

describe('siteBrokerUrl', () => {
  it('is the site’s broker as a URL, mqtts with TLS, or empty without one', () => {
    expect(siteBrokerUrl({ broker: { host: 'broker.site', port: 8883, tls: true } })).toBe(
      'mqtts://broker.site:8883',
    );
    expect(siteBrokerUrl({ broker: { host: '10.0.0.2', port: 1883 } })).toBe('mqtt://10.0.0.2:1883');
    expect(siteBrokerUrl({})).toBe('');
    expect(siteBrokerUrl(null)).toBe('');
  });
});

describe('workbench choices', () => {
  it('are kept in this window when no project is open, and come back from there', async () => {
    expect(await saveWorkbench(null, 'commission', { installer: 'Ana' })).toBeNull();
    expect(await loadWorkbench(null)).toEqual({
      workbench: { commission: { installer: 'Ana' } },
      site: null,
    });
    expect(fake.calls).toEqual([]);
  });

  it('go into the open project’s site file, beside what the file holds', async () => {
    await openWith('home');
    expect(await saveWorkbench('home', 'deploy', { gateways: ['gw-hall'] })).toBeNull();
    expect(await saveWorkbench('home', 'commission', { installer: 'Ana' })).toBeNull();
    expect(project.get('sites', 'home')).toEqual(
      site('home', { workbench: { deploy: { gateways: ['gw-hall'] }, commission: { installer: 'Ana' } } }),
    );
    const loaded = await loadWorkbench('home');
    expect(loaded.workbench).toEqual({ deploy: { gateways: ['gw-hall'] }, commission: { installer: 'Ana' } });
    expect(loaded.site?.id).toBe('home');
  });

  it('read from the site file win over this window’s copy (the file travels with the project)', async () => {
    await openWith('home');
    await saveWorkbench('home', 'commission', { installer: 'Ana' });
    project.put('sites', 'home', site('home', { workbench: { commission: { installer: 'Ben' } } }));
    clearSites();
    projectState.summary = projectSummary({ path: PATH });
    await loadSites(PATH, []);
    expect((await loadWorkbench('home')).workbench).toEqual({ commission: { installer: 'Ben' } });
  });

  it('stay out of a project open read-only, and out of a site the project does not have', async () => {
    await openWith('home');
    expect(await saveWorkbench('cellar', 'commission', { installer: 'Ana' })).toBeNull();
    projectState.summary = projectSummary({ path: PATH, readOnly: true });
    expect(await saveWorkbench('home', 'commission', { installer: 'Ana' })).toBeNull();
    expect(fake.callsTo('project.putDocument')).toEqual([]);
    expect((await loadWorkbench('home')).workbench).toEqual({ commission: { installer: 'Ana' } });
  });

  it('say why the site file refused them, and are still kept in this window', async () => {
    await openWith('home');
    project.fail('putDocument', 'sites/home.json is read-only on disk.');
    expect(await saveWorkbench('home', 'commission', { installer: 'Ana' })).toBe(
      'sites/home.json is read-only on disk.',
    );
    project.heal('putDocument');
    clearSites();
    expect((await loadWorkbench('home', PATH)).workbench).toEqual({ commission: { installer: 'Ana' } });
  });
});

describe('discovery choices', () => {
  const interfaces = ['192.168.1.20', '10.0.0.4'];

  it('start with every source and interface, and the site’s broker', async () => {
    project.put('sites', 'home', site('home', { broker: { host: 'broker.site', port: 1883 } }));
    projectState.summary = projectSummary({ path: PATH });
    await loadSites(PATH, []);
    await restoreDiscoveryChoices(interfaces);
    expect({ ...choices }).toEqual({
      useMdns: true,
      chosen: interfaces,
      useSerial: true,
      brokerUrl: 'mqtt://broker.site:1883',
      ready: true,
    });
  });

  it('are kept with the site without the broker’s password, and restored on the next visit to it', async () => {
    await openWith('home', 'shop');
    await restoreDiscoveryChoices(interfaces);
    choices.useSerial = false;
    choices.chosen = ['10.0.0.4'];
    choices.brokerUrl = 'mqtt://installer:s3cret@192.168.1.5:1883';
    expect(await keepDiscoveryChoices()).toBeNull();
    expect(project.get('sites', 'home')).toMatchObject({
      workbench: {
        discovery: {
          mdns: true,
          interfaces: ['10.0.0.4'],
          serial: false,
          brokerUrl: 'mqtt://192.168.1.5:1883',
        },
      },
    });
    expect(JSON.stringify([...Object.entries(localStorage)])).not.toContain('s3cret');

    // Another site starts afresh; coming back to the first finds its choices, minus a gone interface.
    const { openSite } = await import('../../../../renderer/src/flows/sites.svelte');
    await openSite('shop', []);
    await restoreDiscoveryChoices(interfaces);
    expect(choices.useSerial).toBe(true);
    await openSite('home', []);
    await restoreDiscoveryChoices(['192.168.1.20']);
    expect({ ...choices }).toMatchObject({
      useSerial: false,
      chosen: [],
      brokerUrl: 'mqtt://192.168.1.5:1883',
      ready: true,
    });
  });

  it('are read again for a site of the same id in another project', async () => {
    project.put('sites', 'site-1', site('site-1', { workbench: { discovery: { serial: false } } }));
    await openWith();
    await restoreDiscoveryChoices(interfaces);
    expect(choices.useSerial).toBe(false);

    clearSites();
    const other = memoryProject('/projects/workshop');
    other.put('sites', 'site-1', site('site-1'));
    fake.services.project = other.project;
    projectState.summary = projectSummary({ path: '/projects/workshop' });
    await loadSites('/projects/workshop', []);
    await restoreDiscoveryChoices(interfaces);
    expect(choices.useSerial).toBe(true);
    expect(await keepDiscoveryChoices()).toBeNull();
    expect(other.get('sites', 'site-1')).toMatchObject({ workbench: { discovery: { serial: true } } });
  });
});
