/**
 * The Flows view's keyboard and clipboard commands: what each shortcut does to the editor, and
 * the copy/paste that falls back to the window's own clipboard when the system one is out of
 * reach. The view supplies what only it knows (the pointer, the viewport, its dialogs).
 */
import type { Point } from '../canvas/types';
import type { CanvasViewport } from '../canvas/viewport';
import { askText } from '../shell/ask.svelte';
import { kindOffers, roleOffers, type Offer } from './offers';
import { editor } from './session.svelte';
import { shortcutFor, type ShortcutAction } from './shortcuts';

/** What the commands need from the view. */
export interface CommandView {
  /** The pointer on screen, and in flow coordinates. */
  pointer(): Point;
  pointerInFlow(): Point;
  viewport(): CanvasViewport | undefined;
  openQuickAdd(offers: Offer[], title: string, screen: Point, at: Point): void;
  toggleHelp(): void;
  /** Closes whichever dialog is open; false when none was. */
  closeDialogs(): boolean;
  /** True while the quick-add dialog takes the keys. */
  quickAddOpen(): boolean;
}

const editable = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** The view's commands: `run` for toolbar buttons, `keydown` and `paste` for the window. */
export const viewCommands = (view: CommandView) => {
  /** Clipboard text of the last copy, for when the system clipboard is not reachable. */
  let localClipboard: string | null = null;
  let pasteFallback: ReturnType<typeof setTimeout> | undefined;

  const copy = (cut: boolean) => {
    const text = editor.copyText();
    if (!text) return;
    localClipboard = text;
    navigator.clipboard?.writeText(text).catch(() => {});
    if (cut) editor.deleteSelection();
    editor.status = cut ? 'Cut to the clipboard.' : 'Copied to the clipboard as JSON.';
  };

  /** Runs `action`; true when it was handled (so the key's default is prevented). */
  const run = (action: ShortcutAction): boolean => {
    switch (action) {
      case 'undo':
        editor.undo();
        return true;
      case 'redo':
        editor.redo();
        return true;
      case 'copy':
        copy(false);
        return true;
      case 'cut':
        copy(true);
        return true;
      case 'paste':
        // Let the browser deliver a paste event with the system clipboard; fall back to our
        // own copy when it does not come (no permission, no system clipboard).
        clearTimeout(pasteFallback);
        pasteFallback = setTimeout(() => {
          if (localClipboard) editor.pasteText(localClipboard, view.pointerInFlow());
        }, 50);
        return false;
      case 'duplicate':
        editor.duplicate();
        return true;
      case 'delete':
        editor.deleteSelection();
        return true;
      case 'selectAll':
        editor.selectAll();
        return true;
      case 'quickAdd':
        view.openQuickAdd(
          kindOffers(editor.catalog).concat(
            editor.design.roles.flatMap((r) => roleOffers(r, editor.capabilities.get(r.capability))),
          ),
          'Add a node…',
          view.pointer(),
          view.pointerInFlow(),
        );
        return true;
      case 'group': {
        if (editor.selectedNodes.size === 0) return true;
        void askText({ title: 'Group the selection', label: 'Label for the group', value: 'Group' }).then(
          (label) => {
            if (label !== null) editor.group(label || 'Group');
          },
        );
        return true;
      }
      case 'ungroup': {
        const node = editor.activeFlow?.nodes.find((n) => editor.selectedNodes.has(n.id) && n.group);
        if (node?.group) editor.ungroup(node.group);
        return true;
      }
      case 'autoLayout':
        // Fit once the canvas has drawn the new positions (two frames: update, then paint).
        void editor
          .autoLayout()
          .then(() => requestAnimationFrame(() => requestAnimationFrame(() => view.viewport()?.fitView())));
        return true;
      case 'fitView':
        view.viewport()?.fitView();
        return true;
      case 'help':
        view.toggleHelp();
        return true;
      case 'escape':
        if (!view.closeDialogs()) editor.selectRequest = new Set();
        return true;
    }
  };

  const keydown = (event: KeyboardEvent) => {
    if (editable(event.target) || view.quickAddOpen()) return;
    const action = shortcutFor(event);
    if (action && run(action)) event.preventDefault();
  };

  const paste = (event: ClipboardEvent) => {
    if (editable(event.target)) return;
    const text = event.clipboardData?.getData('text/plain');
    if (!text) return;
    clearTimeout(pasteFallback);
    event.preventDefault();
    editor.pasteText(text, view.pointerInFlow());
  };

  return { run, keydown, paste };
};
