/**
 * The one editor of this window, kept at module level so leaving the Flows view (to the
 * devices, say) and coming back finds the work as it was.
 */
import { builtinCapabilities } from './capabilities';
import { FlowEditor } from './editor.svelte';

/** The window's flow editor. */
export const editor = new FlowEditor(builtinCapabilities());

editor.load({ flows: [{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }], roles: [] });
