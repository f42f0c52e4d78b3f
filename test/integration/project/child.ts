// A separate process that uses the project store the way the app does, for tests that must
// kill it (SIGKILL at random moments) or run it as another user (no write permission).
// Usage: child.mjs edit-loop <projectDir> <recoveryDir> <autosaveMs>
//        child.mjs save-once <projectDir> <recoveryDir>
import { writeSync } from 'node:fs';
import { createProjectStore, createRecoveryArea } from '../../../shared/node/project';

const [mode, projectDir, recoveryDir, autosave] = process.argv.slice(2);
const say = (line: string) => writeSync(1, line + '\n');
const store = createProjectStore({
  recovery: createRecoveryArea(recoveryDir),
  autosaveMs: Number(autosave ?? 0),
});

// Enough bytes per site file that writes take measurable time, so kills land inside them.
const padding = 'x'.repeat(64 * 1024);

const editLoop = async () => {
  const opened = await store.open(projectDir);
  if (opened.recovery) await store.restoreRecovery();
  let n = Number(store.getDocument('sites', 'main')?.counter ?? 0);
  say(`ready ${n}`);
  for (;;) {
    n++;
    store.putDocument('sites', 'main', {
      id: 'main',
      name: 'Main',
      counter: n,
      notes: padding,
      rooms: [],
      devices: [],
      bindings: [],
      gateways: [],
    });
    store.putDocument('flows', `f${n % 4}`, { id: `f${n % 4}`, counter: n });
    store.deleteDocument('flows', `f${(n + 2) % 4}`);
    store.rename(`Kill test ${n}`);
    say(`edit ${n}`);
    // Saves are rarer than autosaves, so both paths get killed mid-write.
    if (n % 40 === 0) await store.save();
    await new Promise((resolve) => setTimeout(resolve, 4));
  }
};

const saveOnce = async () => {
  const opened = await store.open(projectDir);
  say(JSON.stringify({ openedWith: opened.problems.map((p) => p.code) }));
  store.putDocument('sites', 'main', { id: 'main', name: 'Changed by the child' });
  try {
    await store.save();
    say(JSON.stringify({ ok: true }));
  } catch (error) {
    const e = error as { code?: string; message?: string; details?: unknown };
    say(JSON.stringify({ ok: false, code: e.code, message: e.message, details: e.details }));
  }
  store.dispose();
};

(mode === 'edit-loop' ? editLoop() : saveOnce()).catch((error: unknown) => {
  say(`crash ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(3);
});
