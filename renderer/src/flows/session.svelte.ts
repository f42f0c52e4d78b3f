/**
 * The one editor of this window, kept at module level so leaving the Flows view (to the
 * devices, say) and coming back finds the work as it was.
 */
import { FlowEditor } from './editor.svelte';
import { deviceCatalog } from './project-models.svelte';

/**
 * The window's flow editor. Its capabilities are the library read through the API; until the
 * library has arrived the editor is not ready, and nothing is validated against an empty one.
 */
export const editor = new FlowEditor(() =>
  deviceCatalog.status === 'ready' ? deviceCatalog.capabilities : null,
);

editor.load({ flows: [{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }], roles: [] });
