/**
 * Undo and redo over change lists, tldraw-style: the undo stack holds changes separated by
 * marks, and one undo step reverts everything back to the previous mark. Loading a file
 * never reaches the history (the editor replaces the design and calls `clear`).
 */
import { invert, type Change } from './changes';

type Entry = { readonly mark: string } | { readonly changes: readonly Change[] };

/** An undo/redo history; the design itself lives with the editor. */
export interface History {
  /** Starts a new undo step named `label` (what the Edit menu shows). */
  mark(label: string): void;
  /** Adds applied changes to the current step and drops the redo stack. */
  record(changes: readonly Change[]): void;
  /** The changes that revert the last step, or null when there is nothing to undo. */
  undo(): { label: string; changes: Change[] } | null;
  /** The changes that redo the last undone step, or null when there is nothing to redo. */
  redo(): { label: string; changes: Change[] } | null;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Forgets everything (after loading a file). */
  clear(): void;
}

/** Creates an empty history keeping at most `limit` steps. */
export const createHistory = (limit = 500): History => {
  let undoStack: Entry[] = [];
  let redoStack: Entry[][] = [];

  const steps = () => undoStack.filter((e) => 'mark' in e).length;
  const trim = () => {
    while (steps() > limit) {
      const next = undoStack.findIndex((e, i) => i > 0 && 'mark' in e);
      undoStack = undoStack.slice(next);
    }
  };
  const hasChanges = (entries: readonly Entry[]) =>
    entries.some((e) => 'changes' in e && e.changes.length > 0);

  return {
    mark(label) {
      // An empty step (a mark with no changes after it) is replaced, so undo never no-ops.
      const last = undoStack.at(-1);
      if (last && 'mark' in last) undoStack.pop();
      undoStack.push({ mark: label });
      trim();
    },
    record(changes) {
      if (changes.length === 0) return;
      if (undoStack.length === 0) undoStack.push({ mark: 'Edit' });
      undoStack.push({ changes });
      redoStack = [];
    },
    undo() {
      while (undoStack.length > 0) {
        const start = undoStack.findLastIndex((e) => 'mark' in e);
        const step = undoStack.slice(Math.max(start, 0));
        undoStack = undoStack.slice(0, Math.max(start, 0));
        if (!hasChanges(step)) continue;
        redoStack.push(step);
        const first = step[0]!;
        const changes = step.flatMap((e) => ('changes' in e ? e.changes : []));
        return { label: 'mark' in first ? first.mark : 'Edit', changes: invert(changes) };
      }
      return null;
    },
    redo() {
      const step = redoStack.pop();
      if (!step) return null;
      undoStack.push(...step);
      const first = step[0]!;
      return {
        label: 'mark' in first ? first.mark : 'Edit',
        changes: step.flatMap((e) => ('changes' in e ? [...e.changes] : [])),
      };
    },
    get canUndo() {
      return hasChanges(undoStack);
    },
    get canRedo() {
      return redoStack.length > 0;
    },
    clear() {
      undoStack = [];
      redoStack = [];
    },
  };
};
