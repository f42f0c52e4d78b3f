import { access, constants, mkdir, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import {
  DOCUMENT_KINDS,
  NotJsonError,
  PROJECT_FILE,
  applyDocumentPatch,
  canonicalize,
  checkProjectContent,
  documentPath,
  findSecretProblems,
  isDocumentId,
  newProject,
  stableStringify,
  type DocumentKind,
  type JsonObject,
  type PatchOp,
  type RawProject,
} from '../../core/project';
import { removeFileDurable, writeFileDurable } from './atomic';
import { openProjectFolder } from './open';
import {
  RECHECK_DELAY_MS,
  SAVE_PARALLELISM,
  clone,
  errnoHint,
  inParallel,
  sameProject,
  slug,
  writeFailed,
  type OpenState,
  type ProjectStoreOptions,
  type ProjectSummary,
} from './store-parts';

export type { ProjectStoreOptions, ProjectSummary } from './store-parts';

/**
 * The project store: opens a project folder, keeps the open project in memory, saves it with
 * durable per-file writes (a failed save never replaces a good file), autosaves to a recovery
 * area and offers that work on the next open. One project at a time; operations are queued so
 * a save and an autosave never interleave.
 */
export const createProjectStore = (options: ProjectStoreOptions) => {
  const now = options.now ?? (() => new Date());
  let state: OpenState | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | undefined;
  // Counts across every project this store opens, so a reader keyed on it alone never mistakes
  // one project's models for another's.
  let modelsRevision = 0;

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  const summarize = (s: OpenState): ProjectSummary => ({
    path: s.root,
    id: typeof s.project.meta.id === 'string' ? s.project.meta.id : basename(s.root),
    name: typeof s.project.meta.name === 'string' ? s.project.meta.name : basename(s.root),
    dirty: s.revision !== s.savedRevision,
    readOnly: s.readOnly,
    savedAt: s.savedAt,
    schemaVersion: s.schemaVersion,
    migrations: s.migrations,
    problems: [...s.fileProblems, ...s.contentProblems],
    recovery: s.recovery ? { savedAt: s.recovery.savedAt } : null,
    counts: Object.fromEntries(
      DOCUMENT_KINDS.map((kind) => [kind, Object.keys(s.project.documents[kind]).length]),
    ) as Record<DocumentKind, number>,
    modelsRevision,
  });

  const changed = () => options.onChange?.(state ? summarize(state) : null);

  // Validating a big project takes a while (about 1 ms per document with the library), so a
  // burst of edits is checked once, shortly after it ends; reading the summary or saving
  // checks at once.
  let recheckTimer: ReturnType<typeof setTimeout> | undefined;
  const recheck = (s: OpenState): void => {
    if (!s.stale) return;
    s.contentProblems = checkProjectContent(s.project, options.validate);
    s.stale = false;
  };
  const recheckSoon = (s: OpenState): void => {
    if (recheckTimer) return;
    recheckTimer = setTimeout(() => {
      recheckTimer = undefined;
      if (state !== s || !s.stale) return;
      recheck(s);
      changed();
    }, RECHECK_DELAY_MS);
    recheckTimer.unref?.();
  };

  const requireOpen = (): OpenState => {
    if (!state)
      throw new FieldgraphError('project.not_open', 'No project is open. Open or create a project first.');
    return state;
  };

  const requireWritable = (): OpenState => {
    const s = requireOpen();
    if (s.readOnly) {
      throw new FieldgraphError(
        'project.read_only',
        `${s.root} was written by a newer Fieldgraph and is open read-only; update Fieldgraph to change it.`,
      );
    }
    return s;
  };

  const edit = (fn: (project: RawProject) => void, kind?: DocumentKind): void => {
    const s = requireWritable();
    fn(s.project);
    if (kind === 'models') modelsRevision++;
    s.stale = true;
    recheckSoon(s);
    s.revision++;
    changed();
  };

  const autosave = async (): Promise<void> => {
    const s = state;
    if (!s || s.readOnly || s.revision === s.autosavedRevision || s.revision === s.savedRevision) return;
    const revision = s.revision;
    await options.recovery.write(s.root, clone(s.project), now().toISOString());
    s.autosavedRevision = revision;
  };

  const startAutosave = () => {
    if (options.autosaveMs <= 0 || timer) return;
    timer = setInterval(() => {
      serial(autosave).catch((error: unknown) => options.onAutosaveError?.(error));
    }, options.autosaveMs);
    timer.unref?.();
  };

  const stopAutosave = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  const openFolder = async (dir: string): Promise<ProjectSummary> => {
    if (state && state.revision !== state.savedRevision) {
      throw new FieldgraphError(
        'project.unsaved_changes',
        `${state.root} has unsaved changes. Save or close it (discarding the changes) first.`,
      );
    }
    let writable = true;
    try {
      await access(resolve(dir), constants.W_OK);
    } catch {
      writable = false;
    }
    const opened = await openProjectFolder(resolve(dir), { cleanTemp: writable, validate: options.validate });
    const loaded = opened.project;
    const project: RawProject = { meta: loaded.meta, documents: loaded.documents };
    const fileProblems = [...loaded.fileProblems];
    const contentProblems = loaded.problems.filter((p) => !loaded.fileProblems.includes(p));
    if (!writable) {
      fileProblems.push({
        code: 'project.not_writable',
        severity: 'warning',
        path: opened.root,
        message: 'Fieldgraph has no write permission in this folder, so saving will fail.',
        hint: "Fix the folder's permissions, or copy the project somewhere writable.",
      });
    }
    const disk = new Map(opened.texts);
    let recovery: OpenState['recovery'] = null;
    const snapshot = loaded.readOnly ? null : await options.recovery.read(opened.root);
    if (snapshot) {
      if (sameProject(snapshot.project, project)) {
        // The save finished but the process died before it removed the snapshot: nothing to offer.
        await options.recovery.remove(opened.root).catch(() => {});
      } else {
        recovery = { savedAt: snapshot.savedAt, project: snapshot.project };
      }
    }
    stopAutosave();
    modelsRevision++;
    state = {
      root: opened.root,
      project,
      readOnly: loaded.readOnly,
      schemaVersion: loaded.diskSchemaVersion,
      migrations: loaded.migrations,
      fileProblems,
      contentProblems,
      stale: false,
      damaged: new Set(loaded.damaged),
      disk,
      // A migrated project differs from its files until it is saved.
      revision: loaded.migrations.length > 0 ? 1 : 0,
      savedRevision: 0,
      autosavedRevision: loaded.migrations.length > 0 ? 1 : 0,
      savedAt: null,
      recovery,
    };
    startAutosave();
    changed();
    return summarize(state);
  };

  const saveOpen = async (): Promise<ProjectSummary> => {
    const s = requireWritable();
    const revision = s.revision;
    const wanted = new Map<string, string>();
    try {
      for (const kind of DOCUMENT_KINDS) {
        for (const [id, doc] of Object.entries(s.project.documents[kind]))
          wanted.set(documentPath(kind, id), stableStringify(doc));
      }
      wanted.set(PROJECT_FILE, stableStringify(s.project.meta));
    } catch (error) {
      throw new FieldgraphError(
        'project.invalid',
        `The project cannot be saved: ${(error as Error).message}`,
      );
    }
    let current = PROJECT_FILE;
    try {
      // Autosave first: if this process dies half-way through the files below, the next open
      // offers the complete state instead of a mix of old and new files.
      if (revision !== s.autosavedRevision && revision !== s.savedRevision) {
        await options.recovery.write(s.root, clone(s.project), now().toISOString());
        s.autosavedRevision = revision;
      }
      for (const kind of DOCUMENT_KINDS) {
        if (s.damaged.has(`${kind}/`)) {
          const touches = [...wanted.keys()].some(
            (p) => p.startsWith(`${kind}/`) && s.disk.get(p) !== wanted.get(p),
          );
          if (touches) {
            throw new FieldgraphError(
              'project.symlink_outside',
              `The ${kind} folder of ${s.root} links outside the project; Fieldgraph will not write through it.`,
              { path: `${kind}/` },
            );
          }
          continue;
        }
        await mkdir(join(s.root, kind), { recursive: true });
      }
      const write = async (rel: string) => {
        current = rel;
        try {
          await writeFileDurable(join(s.root, rel), wanted.get(rel)!);
        } catch (error) {
          throw writeFailed(rel, error, s.root);
        }
        s.disk.set(rel, wanted.get(rel)!);
        s.damaged.delete(rel);
      };
      const changedDocuments = [...wanted.keys()]
        .filter((rel) => rel !== PROJECT_FILE && s.disk.get(rel) !== wanted.get(rel))
        .sort();
      await inParallel(changedDocuments, SAVE_PARALLELISM, write);
      // Documents before fieldgraph.json: the project file changing last marks a finished save.
      if (s.disk.get(PROJECT_FILE) !== wanted.get(PROJECT_FILE)) await write(PROJECT_FILE);
      for (const rel of [...s.disk.keys()]) {
        if (wanted.has(rel)) continue;
        current = rel;
        await removeFileDurable(join(s.root, rel));
        s.disk.delete(rel);
      }
    } catch (error) {
      if (error instanceof FieldgraphError) throw error;
      throw writeFailed(current, error, s.root);
    }
    s.savedRevision = revision;
    s.savedAt = now().toISOString();
    s.fileProblems = s.fileProblems.filter((p) => p.code !== 'project.not_writable' && !wanted.has(p.path));
    if (s.revision === revision) {
      s.autosavedRevision = revision;
      s.recovery = null;
      await options.recovery.remove(s.root).catch(() => {});
    }
    changed();
    return summarize(s);
  };

  const checkDocument = (kind: string, id: string, doc: unknown): { kind: DocumentKind; doc: JsonObject } => {
    if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) {
      throw new FieldgraphError(
        'project.invalid',
        `"${kind}" is not a document kind; use one of ${DOCUMENT_KINDS.join(', ')}.`,
      );
    }
    if (!isDocumentId(id)) {
      throw new FieldgraphError(
        'project.bad_document_id',
        `"${id}" cannot be a document id: use letters, digits, ".", "_", "-" or "@", starting with a letter or digit.`,
      );
    }
    let value;
    try {
      value = canonicalize(doc);
    } catch (error) {
      if (error instanceof NotJsonError)
        throw new FieldgraphError('project.invalid', `${kind}/${id}.json${error.message}`);
      throw error;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new FieldgraphError('project.invalid', `${kind}/${id}.json must be a JSON object.`);
    }
    const secrets = findSecretProblems(value, `${kind}/${id}.json`);
    if (secrets.length > 0) {
      throw new FieldgraphError(
        'project.secret_in_file',
        `${secrets[0].path}: ${secrets[0].message} ${secrets[0].hint ?? ''}`.trim(),
        {
          problems: secrets,
        },
      );
    }
    return { kind: kind as DocumentKind, doc: { ...value, id } };
  };

  return {
    /** Creates a new project in `dir` (made if missing; must not already hold a project) and opens it. */
    create: (dir: string, name: string): Promise<ProjectSummary> =>
      serial(async () => {
        const root = resolve(dir);
        const trimmed = name.trim();
        if (!trimmed) throw new FieldgraphError('project.invalid', 'A project needs a name.');
        try {
          await readdir(root).then((names) => {
            if (names.includes(PROJECT_FILE)) {
              throw new FieldgraphError(
                'project.already_exists',
                `${root} already holds a project; open it instead.`,
              );
            }
          });
        } catch (error) {
          if (error instanceof FieldgraphError) throw error;
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
            throw new FieldgraphError(
              'project.write_failed',
              `Cannot use ${root}: ${(error as Error).message}`,
            );
          }
        }
        const fresh = newProject(slug(trimmed), trimmed, now().toISOString());
        try {
          await mkdir(root, { recursive: true });
          for (const kind of DOCUMENT_KINDS) await mkdir(join(root, kind), { recursive: true });
          await writeFileDurable(join(root, PROJECT_FILE), stableStringify(fresh.meta));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new FieldgraphError(
            'project.write_failed',
            `Cannot create the project in ${root} (${code ?? String(error)}). ${errnoHint(code, root)}`,
            { path: root, reason: code },
          );
        }
        return openFolder(root);
      }),
    /** Opens the project in `dir`; damaged files come back as problems while the rest opens. */
    open: (dir: string): Promise<ProjectSummary> => serial(() => openFolder(dir)),
    /** Writes every changed file durably; throws project.write_failed naming the file when one fails. */
    save: (): Promise<ProjectSummary> => serial(saveOpen),
    /** Closes the project; refuses when it has unsaved changes unless `discardChanges`. */
    close: (discardChanges = false): Promise<void> =>
      serial(async () => {
        if (!state) return;
        if (state.revision !== state.savedRevision && !discardChanges) {
          throw new FieldgraphError(
            'project.unsaved_changes',
            `${state.root} has unsaved changes. Save it, or close it discarding the changes.`,
          );
        }
        stopAutosave();
        if (!state.readOnly) await options.recovery.remove(state.root).catch(() => {});
        state = null;
        changed();
      }),
    /** The open project's summary (problems may lag edits by RECHECK_DELAY_MS), or null. */
    summary: (): ProjectSummary | null => (state ? summarize(state) : null),
    /** The summary with the content checked now, instead of shortly after the last edit. */
    checkedSummary: (): ProjectSummary | null => {
      if (!state) return null;
      recheck(state);
      return summarize(state);
    },
    /** A deep copy of the open project's meta and documents. */
    snapshot: (): RawProject => clone(requireOpen().project),
    /** One document, or null when the project has none with that id. */
    getDocument: (kind: DocumentKind, id: string): JsonObject | null => {
      const doc = requireOpen().project.documents[kind]?.[id];
      return doc ? clone(doc) : null;
    },
    /** The ids of the open project's documents of one kind, sorted. */
    listDocuments: (kind: DocumentKind): string[] =>
      Object.keys(requireOpen().project.documents[kind]).sort(),
    /** A deep copy of fieldgraph.json as it will be saved (name, roles, …). */
    meta: (): JsonObject => clone(requireOpen().project.meta),
    /** Replaces the project's roles (the content check reports any that are wrong). */
    setRoles: (roles: readonly JsonObject[]): void => {
      const checked = canonicalize(roles) as JsonObject[];
      edit((p) => {
        p.meta.roles = checked;
      });
    },
    /** Adds or replaces a document (its `id` is set from `id`); refuses plain secrets. */
    putDocument: (kind: string, id: string, doc: unknown): void => {
      const checked = checkDocument(kind, id, doc);
      edit((p) => {
        p.documents[checked.kind][id] = checked.doc;
      }, checked.kind);
    },
    /**
     * Changes part of a document (see applyDocumentPatch); a patch that fails changes nothing.
     * Throws project.not_found when there is no such document (put the whole document first).
     */
    patchDocument: (kind: DocumentKind, id: string, ops: readonly PatchOp[]): void => {
      const s = requireWritable();
      const doc = s.project.documents[kind]?.[id];
      if (!doc)
        throw new FieldgraphError(
          'project.not_found',
          `The project has no ${kind}/${id}.json to change; send the whole document instead.`,
        );
      const next = applyDocumentPatch(doc, ops, `${kind}/${id}.json`);
      edit((p) => {
        p.documents[kind][id] = next;
      }, kind);
    },
    /** Removes a document; its file goes on the next save. */
    deleteDocument: (kind: DocumentKind, id: string): void =>
      edit((p) => {
        delete p.documents[kind][id];
      }, kind),
    /** Renames the project. */
    rename: (name: string): void => {
      if (!name.trim()) throw new FieldgraphError('project.invalid', 'A project needs a name.');
      edit((p) => {
        p.meta.name = name.trim();
      });
    },
    /** Replaces the open project with the autosaved work offered at open; it stays unsaved until saved. */
    restoreRecovery: (): Promise<ProjectSummary> =>
      serial(async () => {
        const s = requireWritable();
        if (!s.recovery)
          throw new FieldgraphError('project.no_recovery', 'There is no autosaved work to restore.');
        s.project = clone(s.recovery.project);
        modelsRevision++;
        s.stale = true;
        recheck(s);
        s.recovery = null;
        s.revision++;
        s.autosavedRevision = s.revision;
        changed();
        return summarize(s);
      }),
    /** Drops the autosaved work offered at open. */
    discardRecovery: (): Promise<ProjectSummary> =>
      serial(async () => {
        const s = requireOpen();
        if (s.recovery) await options.recovery.remove(s.root);
        s.recovery = null;
        changed();
        return summarize(s);
      }),
    /** Runs an autosave now (tests, and before a planned shutdown). */
    autosaveNow: (): Promise<void> => serial(autosave),
    /** Stops the autosave timer without touching files. */
    dispose: (): void => stopAutosave(),
  };
};

/** The project store's interface. */
export type ProjectStore = ReturnType<typeof createProjectStore>;
