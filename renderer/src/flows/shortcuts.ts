/**
 * The Flows view's keyboard shortcuts, as data: the key handler and the help overlay both
 * read this one list, so the overlay can never drift from what the keys do.
 */

/** What a shortcut does; the view maps each to a method. */
export type ShortcutAction =
  | 'undo'
  | 'redo'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'duplicate'
  | 'delete'
  | 'selectAll'
  | 'quickAdd'
  | 'group'
  | 'ungroup'
  | 'autoLayout'
  | 'fitView'
  | 'help'
  | 'escape';

/** One shortcut: keys as shown, and a matcher over a KeyboardEvent (null action: a mouse gesture, listed only). */
export interface Shortcut {
  readonly action: ShortcutAction | null;
  readonly keys: string;
  readonly description: string;
  readonly mod: boolean;
  readonly shift?: boolean;
  readonly alt?: boolean;
  /** `KeyboardEvent.key` values, lower-cased. */
  readonly key: readonly string[];
}

/** Every shortcut, in the order the help overlay lists them. */
export const shortcuts: readonly Shortcut[] = [
  { action: 'quickAdd', keys: 'Ctrl/⌘ K', description: 'Add a node at the pointer', mod: true, key: ['k'] },
  { action: 'undo', keys: 'Ctrl/⌘ Z', description: 'Undo', mod: true, key: ['z'] },
  {
    action: 'redo',
    keys: 'Ctrl/⌘ Shift Z · Ctrl Y',
    description: 'Redo',
    mod: true,
    shift: true,
    key: ['z'],
  },
  { action: 'redo', keys: '', description: '', mod: true, key: ['y'] },
  { action: 'copy', keys: 'Ctrl/⌘ C', description: 'Copy the selection (as JSON)', mod: true, key: ['c'] },
  { action: 'cut', keys: 'Ctrl/⌘ X', description: 'Cut the selection', mod: true, key: ['x'] },
  {
    action: 'paste',
    keys: 'Ctrl/⌘ V',
    description: 'Paste nodes (also from another flow or project)',
    mod: true,
    key: ['v'],
  },
  { action: 'duplicate', keys: 'Ctrl/⌘ D', description: 'Duplicate the selection', mod: true, key: ['d'] },
  {
    action: 'selectAll',
    keys: 'Ctrl/⌘ A',
    description: 'Select every node of the flow',
    mod: true,
    key: ['a'],
  },
  {
    action: 'delete',
    keys: 'Delete · Backspace',
    description: 'Delete the selection',
    mod: false,
    key: ['delete', 'backspace'],
  },
  {
    action: 'group',
    keys: 'Ctrl/⌘ G',
    description: 'Group the selection under a label',
    mod: true,
    key: ['g'],
  },
  { action: 'ungroup', keys: 'Ctrl/⌘ Shift G', description: 'Ungroup', mod: true, shift: true, key: ['g'] },
  {
    action: 'autoLayout',
    keys: 'Ctrl/⌘ Shift L',
    description: 'Auto-layout the flow',
    mod: true,
    shift: true,
    key: ['l'],
  },
  {
    action: 'fitView',
    keys: 'Shift 1',
    description: 'Fit the flow to the screen',
    mod: false,
    shift: true,
    key: ['!', '1'],
  },
  { action: 'help', keys: '?', description: 'Show these shortcuts', mod: false, shift: true, key: ['?'] },
  {
    action: 'escape',
    keys: 'Esc',
    description: 'Close the overlay or clear the selection',
    mod: false,
    key: ['escape'],
  },
  { action: null, keys: 'Shift drag', description: 'Box-select nodes', mod: false, key: [] },
  { action: null, keys: 'Ctrl/⌘ click', description: 'Add a node to the selection', mod: false, key: [] },
  {
    action: null,
    keys: 'Drag a role or device',
    description: 'Add its triggers and actions',
    mod: false,
    key: [],
  },
];

/** The action of a key press, or null when it is not a shortcut. */
export const shortcutFor = (event: KeyboardEvent): ShortcutAction | null => {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  for (const s of shortcuts) {
    if (!s.key.includes(key) || s.mod !== mod) continue;
    if (s.mod && !!s.shift !== event.shiftKey) continue;
    if (!s.mod && s.shift && !event.shiftKey) continue;
    if (!!s.alt !== event.altKey) continue;
    return s.action;
  }
  return null;
};
