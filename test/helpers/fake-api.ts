/**
 * The renderer's API with the services replaced by in-memory fakes a test writes, and the
 * rest real: the client the UI calls (buildApiClient), a copy of the arguments as a transport
 * makes one (a value that cannot cross IPC fails here too), and the dispatcher that checks the
 * arguments and results against the contract. A renderer test replaces the module
 * `renderer/src/api` (vi.mock, with a factory that imports this file) by one whose `api` is
 * `fakeApi.api`, and gives `fakeApi.services` the services its module calls.
 */
import { buildApiClient } from '../../shared/core/api/client';
import { createDispatcher } from '../../shared/core/api/dispatch';
import type { EventName, FieldgraphApi, FieldgraphServices } from '../../shared/core/api';
import type { Static } from '@sinclair/typebox';
import type { ProjectSummary } from '../../shared/core/api/areas/project';
import { FieldgraphError } from '../../shared/core/errors';
import { applyDocumentPatch, type PatchOp } from '../../shared/core/project/patch';
import type { JsonObject } from '../../shared/core/project/serialize';

/** Services a test provides: any area, any of its methods; the others answer not_implemented. */
export type FakeServices = { -readonly [A in keyof FieldgraphServices]?: Partial<FieldgraphServices[A]> };

/** One call as it crossed the fake transport. */
export interface FakeCall {
  readonly method: string;
  readonly args: unknown;
}

export interface FakeApi {
  readonly api: FieldgraphApi;
  /** The services behind `api`; replace areas freely between tests. */
  services: FakeServices;
  /** Every call made, in order. */
  readonly calls: FakeCall[];
  /** The calls of one method (`project.putDocument`). */
  callsTo(method: string): FakeCall[];
  /** Pushes an event to the UI's listeners. */
  emit(event: EventName, payload: unknown): void;
  /** Forgets the services and the calls. */
  reset(): void;
}

export const createFakeApi = (): FakeApi => {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const fake: FakeApi = {
    services: {},
    calls: [],
    callsTo: (method) => fake.calls.filter((c) => c.method === method),
    emit: (event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(structuredClone(payload));
    },
    // Listeners stay: they belong to the window's modules, which live as long as the test file.
    reset: () => {
      fake.services = {};
      fake.calls.length = 0;
    },
    api: buildApiClient(
      async (method, args) => {
        // What the UI sends is copied as IPC copies it; a Svelte proxy or a function throws here.
        const sent = structuredClone(args);
        fake.calls.push({ method, args: sent });
        const dispatch = createDispatcher(fake.services as FieldgraphServices, {
          checkResults: true,
          onInternalError: (_m, error) => {
            throw error;
          },
        });
        return structuredClone(await dispatch(method, sent, { transport: 'direct' }));
      },
      (event, listener) => {
        let set = listeners.get(event);
        if (!set) listeners.set(event, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
    ),
  };
  return fake;
};

/** The fake the renderer's `api` module is replaced with (one per test file, as one per window). */
export const fakeApi = createFakeApi();

/** A project summary as the project service reports it, with `over` changed. */
export const projectSummary = (
  over: Partial<Static<typeof ProjectSummary>> = {},
): Static<typeof ProjectSummary> => ({
  path: '/projects/hall',
  id: 'hall',
  name: 'Hall',
  dirty: false,
  readOnly: false,
  savedAt: null,
  schemaVersion: 1,
  migrations: [],
  problems: [],
  recovery: null,
  counts: { flows: 0, models: 0, sites: 0 },
  modelsRevision: 1,
  ...over,
});

type Kind = 'flows' | 'models' | 'sites';

/**
 * A project held in memory as the project service keeps one: its documents by kind and id
 * (patches applied by the project format's own applyDocumentPatch), fieldgraph.json's roles, and
 * whether it has unsaved changes. Every change is announced through `announce` as the service
 * announces onProjectChanged; `fail` makes the calls of a method fail with a message until `heal`.
 */
export const memoryProject = (
  path = '/projects/hall',
  announce: (summary: Static<typeof ProjectSummary> | null) => void = () => {},
) => {
  const documents = new Map<string, Record<string, unknown>>();
  const failing = new Map<string, string>();
  const state = {
    open: true,
    dirty: false,
    readOnly: false,
    roles: [] as unknown[],
    saves: 0,
    modelsRevision: 1,
  };
  const key = (kind: Kind, id: string) => `${kind}/${id}`;
  const summary = () => {
    const count = (kind: Kind) => [...documents.keys()].filter((k) => k.startsWith(`${kind}/`)).length;
    return projectSummary({
      path,
      dirty: state.dirty,
      readOnly: state.readOnly,
      counts: { flows: count('flows'), models: count('models'), sites: count('sites') },
      modelsRevision: state.modelsRevision,
    });
  };
  const check = (method: string) => {
    const message = failing.get(method);
    if (message !== undefined) throw new FieldgraphError('project.write_failed', message);
    if (!state.open) throw new FieldgraphError('project.not_open', 'No project is open.');
  };
  const edited = (kind?: Kind) => {
    if (kind === 'models') state.modelsRevision++;
    state.dirty = true;
    const now = summary();
    announce(now);
    return now;
  };
  const project = {
    open: ({ path: opened }: { path: string }) => {
      if (opened !== path)
        throw new FieldgraphError('project.not_found', `There is no project at ${opened}.`);
      state.open = true;
      state.modelsRevision++;
      announce(summary());
      return summary();
    },
    close: () => {
      state.open = false;
      announce(null);
      return {};
    },
    current: () => (state.open ? summary() : null),
    listDocuments: ({ kind }: { kind: Kind }) => {
      check('listDocuments');
      return [...documents.keys()]
        .filter((k) => k.startsWith(`${kind}/`))
        .map((k) => k.slice(kind.length + 1))
        .sort();
    },
    getDocument: ({ kind, id }: { kind: Kind; id: string }) => {
      check('getDocument');
      return documents.get(key(kind, id)) ?? null;
    },
    putDocument: ({ kind, id, document }: { kind: Kind; id: string; document: Record<string, unknown> }) => {
      check('putDocument');
      documents.set(key(kind, id), { ...document, id });
      return edited(kind);
    },
    patchDocument: ({ kind, id, ops }: { kind: Kind; id: string; ops: PatchOp[] }) => {
      check('patchDocument');
      const doc = documents.get(key(kind, id));
      if (!doc)
        throw new FieldgraphError('project.not_found', `The project has no ${kind}/${id}.json to change.`);
      documents.set(key(kind, id), applyDocumentPatch(doc as JsonObject, ops, `${kind}/${id}.json`));
      return edited(kind);
    },
    deleteDocument: ({ kind, id }: { kind: Kind; id: string }) => {
      check('deleteDocument');
      documents.delete(key(kind, id));
      return edited(kind);
    },
    getMeta: () => {
      check('getMeta');
      return { id: 'hall', name: 'Hall', roles: state.roles };
    },
    setRoles: ({ roles }: { roles: unknown[] }) => {
      check('setRoles');
      state.roles = roles;
      return edited();
    },
    save: () => {
      check('save');
      state.dirty = false;
      state.saves++;
      announce(summary());
      return summary();
    },
  };
  return {
    project: project as unknown as FieldgraphServices['project'],
    documents,
    state,
    summary,
    put: (kind: Kind, id: string, document: Record<string, unknown>) => {
      if (kind === 'models') state.modelsRevision++;
      documents.set(key(kind, id), document);
    },
    /** The open project's models/ as the real project service hands them to the library area. */
    openProjectModels: () =>
      state.open
        ? {
            path,
            modelsRevision: state.modelsRevision,
            documents: [...documents]
              .filter(([k]) => k.startsWith('models/'))
              .map(([k, value]) => ({ file: `${k}.json`, value })),
          }
        : null,
    get: (kind: Kind, id: string) => documents.get(key(kind, id)),
    fail: (method: string, message: string) => failing.set(method, message),
    heal: (method: string) => failing.delete(method),
  };
};
