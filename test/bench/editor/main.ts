/// <reference types="vite/client" />
// The real Flows view (palette, canvas with the catalog's node components, inspector,
// problems) over a generated flow of ?n= nodes.
import { mount } from 'svelte';
import '../../../renderer/src/app.css';
import FlowsView from '../../../renderer/src/flows/FlowsView.svelte';
import { editor } from '../../../renderer/src/flows/session.svelte';
import { showLibrary } from '../../../renderer/src/flows/project-models.svelte';
import type { Capability, DeviceModel } from '../../../shared/core/model/schemas';
import { generateDesign } from './generate';
import { markReadyWhen } from './probe';

// No services stand behind this page: it hands the editor the built-in library as
// library.documents would, so the Flows view has its capabilities from the first frame.
const files = <T>(found: Record<string, T>) => Object.values(found);
showLibrary({
  builtin: {
    capabilities: files(
      import.meta.glob<Capability>('../../../resources/library/capabilities/*.json', {
        eager: true,
        import: 'default',
      }),
    ),
    models: files(
      import.meta.glob<DeviceModel>('../../../resources/library/models/*.json', {
        eager: true,
        import: 'default',
      }),
    ),
  },
  project: null,
  problems: [],
});
editor.load(generateDesign(Number(new URLSearchParams(location.search).get('n') ?? 100)));
mount(FlowsView, { target: document.getElementById('app')! });
markReadyWhen('.svelte-flow__node-flowNode');
