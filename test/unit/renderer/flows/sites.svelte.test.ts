import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Design, Role, SiteDevice } from '../../../../renderer/src/canvas/types';
import * as sites from '../../../../renderer/src/flows/sites.svelte';
import { projectState } from '../../../../renderer/src/project/project-state.svelte';
import { fakeApi as fake, memoryProject, projectSummary } from '../../../helpers/fake-api';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

let project: ReturnType<typeof memoryProject>;

const PATH = '/projects/hall';

beforeEach(() => {
  // The module keeps the selected site between calls, as the window does; closing forgets it.
  sites.clearSites();
  sites.sites.error = null;
  localStorage.clear();
  fake.reset();
  project = memoryProject(PATH);
  fake.services.project = project.project;
  projectState.summary = projectSummary({ path: PATH });
});

const relay: SiteDevice = { id: 'hall-relay', name: 'Hall relay', model: 'tasmota-relay', identity: {} };
const lamp: SiteDevice = { id: 'porch-lamp', name: 'Porch lamp', model: 'shelly-plus-1', identity: {} };

const site = (id: string, extra: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  id,
  name: `Site ${id}`,
  rooms: [],
  devices: [],
  bindings: [],
  gateways: [],
  ...extra,
});

const design = (roles: Role[], devices?: SiteDevice[]): Design => ({
  flows: [],
  roles,
  ...(devices ? { devices } : {}),
});

const puts = () =>
  fake.callsTo('project.putDocument').map((c) => c.args as { id: string; document: unknown });

describe('loadSites', () => {
  it('lists the project’s sites and loads the first one’s devices and bindings', async () => {
    project.put('sites', 'workshop', site('workshop', { name: 'Workshop' }));
    project.put(
      'sites',
      'home',
      site('home', { devices: [relay], bindings: [{ role: 'light', device: 'hall-relay' }] }),
    );
    const loaded = await sites.loadSites(PATH, ['light']);
    expect(sites.sites.list).toEqual([
      { id: 'home', name: 'Site home' },
      { id: 'workshop', name: 'Workshop' },
    ]);
    expect(sites.sites.selected).toBe('home');
    expect(loaded).toEqual({ devices: [relay], bindings: [{ role: 'light', device: 'hall-relay' }] });
    expect(sites.sites.error).toBeNull();
  });

  it('reads a site file with missing or damaged lists as empty ones, named by its id', async () => {
    project.put('sites', 'bare', { devices: 'none', bindings: [null, 3, { role: 'light', device: 'x' }] });
    const loaded = await sites.loadSites(PATH, []);
    expect(sites.sites.list).toEqual([{ id: 'bare', name: 'bare' }]);
    expect(loaded).toEqual({ devices: [], bindings: [{ role: 'light', device: 'x' }] });
  });

  it('selects the site picked last time for this project, and the first for another project', async () => {
    project.put('sites', 'a', site('a'));
    project.put('sites', 'b', site('b'));
    await sites.loadSites(PATH, []);
    await sites.openSite('b', []);
    await sites.loadSites(PATH, []);
    expect(sites.sites.selected).toBe('b');
    await sites.loadSites('/projects/other', []);
    expect(sites.sites.selected).toBe('a');
  });

  it('forgets role bindings an older version kept in localStorage', async () => {
    localStorage.setItem(`fieldgraph.flows.bindings:${PATH}`, '{"light":"hall-relay"}');
    localStorage.setItem('fieldgraph.flows.bindings:/projects/other', '{}');
    await sites.loadSites(PATH, []);
    expect(localStorage.getItem(`fieldgraph.flows.bindings:${PATH}`)).toBeNull();
    expect(localStorage.getItem('fieldgraph.flows.bindings:/projects/other')).toBe('{}');
  });

  it('says why when the sites cannot be listed, and selects none', async () => {
    project.fail('listDocuments', 'The sites folder cannot be read.');
    const loaded = await sites.loadSites(PATH, []);
    expect(sites.sites.error).toBe('The sites folder cannot be read.');
    expect(sites.sites.list).toEqual([]);
    expect(sites.sites.selected).toBeNull();
    expect(loaded).toEqual({ devices: [], bindings: [] });
  });
});

describe('openSite', () => {
  it('loads another site and selects it', async () => {
    project.put('sites', 'a', site('a'));
    project.put('sites', 'b', site('b', { devices: [lamp] }));
    await sites.loadSites(PATH, []);
    const loaded = await sites.openSite('b', []);
    expect(loaded?.devices).toEqual([lamp]);
    expect(sites.sites.selected).toBe('b');
  });

  it('names a site that is not there and how to go on, keeping the selection', async () => {
    project.put('sites', 'a', site('a'));
    await sites.loadSites(PATH, []);
    expect(await sites.openSite('gone', [])).toBeNull();
    expect(sites.sites.error).toBe(
      'The project has no site “gone”; pick another one or create it with New site.',
    );
    expect(sites.sites.selected).toBe('a');
  });

  it('says nothing stale: an earlier failure gives way to this one’s outcome', async () => {
    project.put('sites', 'a', site('a'));
    project.put('sites', 'b', site('b'));
    await sites.loadSites(PATH, []);
    project.fail('putDocument', 'The project is open read-only.');
    await sites.createSite('Cellar', []);
    expect(sites.sites.error).toBe('The project is open read-only.');
    expect(await sites.openSite('gone', [])).toBeNull();
    expect(sites.sites.error).toBe(
      'The project has no site “gone”; pick another one or create it with New site.',
    );
    await sites.openSite('b', []);
    expect(sites.sites.error).toBeNull();
  });

  it('passes on the project’s reason when the site cannot be read', async () => {
    project.put('sites', 'a', site('a'));
    await sites.loadSites(PATH, []);
    project.fail('getDocument', 'sites/a.json is not valid JSON.');
    expect(await sites.openSite('a', [])).toBeNull();
    expect(sites.sites.error).toBe('sites/a.json is not valid JSON.');
  });
});

describe('createSite', () => {
  it('adds an empty site with an id made from its name, unique in the project, and selects it', async () => {
    project.put('sites', 'workshop', site('workshop'));
    await sites.loadSites(PATH, []);
    await sites.createSite('  Workshop ', []);
    await sites.createSite('Workshop', []);
    expect(sites.sites.list.map((s) => s.id)).toEqual(['workshop', 'workshop-2', 'workshop-3']);
    expect(sites.sites.selected).toBe('workshop-3');
    expect(project.get('sites', 'workshop-2')).toEqual({
      schemaVersion: 1,
      id: 'workshop-2',
      name: 'Workshop',
      rooms: [],
      devices: [],
      bindings: [],
      gateways: [],
    });
  });

  it('names a site with no usable name “Site” and cuts a long name to 200 characters', async () => {
    await sites.loadSites(PATH, []);
    await sites.createSite('   ', []);
    expect(project.get('sites', 'site')).toMatchObject({ name: 'Site' });
    await sites.createSite('x'.repeat(300), []);
    const long = sites.sites.list.find((s) => s.id.startsWith('xxx'))!;
    expect(long.name).toHaveLength(200);
    expect(long.id).toHaveLength(60);
  });

  it('says why when the project refuses the new site, and adds nothing', async () => {
    await sites.loadSites(PATH, []);
    project.fail('putDocument', 'The project is open read-only.');
    expect(await sites.createSite('Cellar', [])).toBeNull();
    expect(sites.sites.error).toBe('The project is open read-only.');
    expect(sites.sites.list).toEqual([]);
  });
});

describe('bindingsOf', () => {
  it('lists the bound roles as a site file keeps them', () => {
    expect(
      sites.bindingsOf(
        design([
          { id: 'light', capability: 'switch@1', device: 'hall-relay', implementation: 'relay-1' },
          { id: 'button', capability: 'button@1' },
          { id: 'porch', capability: 'switch@1', device: 'porch-lamp' },
        ]),
      ),
    ).toEqual([
      { role: 'light', device: 'hall-relay', implementation: 'relay-1' },
      { role: 'porch', device: 'porch-lamp' },
    ]);
  });
});

describe('pushSite', () => {
  const wifi = { ssid: 'Hall', password: { secret: 'wifi/hall' } };

  const opened = async (roles: Role[]) => {
    project.put(
      'sites',
      'home',
      site('home', {
        rooms: [{ id: 'hall', name: 'Hall' }],
        wifi,
        devices: [relay],
        bindings: [
          { role: 'light', device: 'hall-relay' },
          { role: 'heating', device: 'boiler' },
        ],
      }),
    );
    const loaded = await sites.loadSites(
      PATH,
      roles.map((r) => r.id),
    );
    const bound = roles.map((r) => {
      const b = loaded.bindings.find((x) => x.role === r.id);
      return b ? { ...r, device: b.device } : r;
    });
    const d = design(bound, [...loaded.devices]);
    sites.settleSite(d);
    return d;
  };

  it('writes nothing when the design is the site as loaded', async () => {
    const d = await opened([{ id: 'light', capability: 'switch@1' }]);
    expect(await sites.pushSite(d)).toBeNull();
    expect(puts()).toEqual([]);
  });

  it('writes a changed binding once, keeping the rest of the site and bindings of roles the design lacks', async () => {
    const d = await opened([{ id: 'light', capability: 'switch@1' }]);
    const next = design([{ id: 'light', capability: 'switch@1', device: 'porch-lamp' }], [relay, lamp]);
    expect(await sites.pushSite(next)).toBeNull();
    expect(await sites.pushSite(next)).toBeNull();
    expect(puts()).toHaveLength(1);
    expect(project.get('sites', 'home')).toEqual({
      schemaVersion: 1,
      id: 'home',
      name: 'Site home',
      rooms: [{ id: 'hall', name: 'Hall' }],
      wifi,
      gateways: [],
      devices: [relay, lamp],
      bindings: [
        { role: 'light', device: 'porch-lamp' },
        { role: 'heating', device: 'boiler' },
      ],
    });
    expect(d.roles[0]!.device).toBe('hall-relay');
  });

  it('drops a kept binding once the design has that role again and leaves it unbound', async () => {
    await opened([{ id: 'light', capability: 'switch@1' }]);
    await sites.pushSite(
      design(
        [
          { id: 'light', capability: 'switch@1', device: 'hall-relay' },
          { id: 'heating', capability: 'switch@1' },
        ],
        [relay],
      ),
    );
    expect((project.get('sites', 'home') as { bindings: unknown }).bindings).toEqual([
      { role: 'light', device: 'hall-relay' },
    ]);
  });

  it('creates “Site 1” for the first binding in a project without sites', async () => {
    await sites.loadSites(PATH, ['light']);
    expect(await sites.pushSite(design([{ id: 'light', capability: 'switch@1' }]))).toBeNull();
    expect(puts()).toEqual([]);
    const bound = design([{ id: 'light', capability: 'switch@1', device: 'hall-relay' }], [relay]);
    expect(await sites.pushSite(bound)).toBeNull();
    expect(sites.sites.selected).toBe('site-1');
    expect(sites.sites.list).toEqual([{ id: 'site-1', name: 'Site 1' }]);
    expect(project.get('sites', 'site-1')).toMatchObject({
      name: 'Site 1',
      devices: [relay],
      bindings: [{ role: 'light', device: 'hall-relay' }],
    });
  });

  it('returns the project’s reason when writing fails, and writes the same change on the next push', async () => {
    await opened([{ id: 'light', capability: 'switch@1' }]);
    const next = design([{ id: 'light', capability: 'switch@1' }], [relay]);
    project.fail('putDocument', 'The disk is full.');
    expect(await sites.pushSite(next)).toBe('The disk is full.');
    project.heal('putDocument');
    expect(await sites.pushSite(next)).toBeNull();
    expect((project.get('sites', 'home') as { bindings: unknown }).bindings).toEqual([
      { role: 'heating', device: 'boiler' },
    ]);
  });

  it('writes nothing into a project open read-only, or once the project is closed', async () => {
    await opened([{ id: 'light', capability: 'switch@1' }]);
    const next = design([{ id: 'light', capability: 'switch@1' }], [relay]);
    projectState.summary = projectSummary({ path: PATH, readOnly: true });
    expect(await sites.pushSite(next)).toBeNull();
    projectState.summary = projectSummary({ path: PATH });
    sites.clearSites();
    expect(sites.sites.list).toEqual([]);
    expect(sites.sites.selected).toBeNull();
    expect(await sites.pushSite(next)).toBeNull();
    expect(puts()).toEqual([]);
  });
});
