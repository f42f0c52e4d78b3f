// The real Flows view (palette, canvas with the catalog's node components, inspector,
// problems) over a generated flow of ?n= nodes.
import { mount } from 'svelte';
import '../../../renderer/src/app.css';
import FlowsView from '../../../renderer/src/flows/FlowsView.svelte';
import { editor } from '../../../renderer/src/flows/session.svelte';
import { generateDesign } from './generate';
import { markReadyWhen } from './probe';

editor.load(generateDesign(Number(new URLSearchParams(location.search).get('n') ?? 100)));
mount(FlowsView, { target: document.getElementById('app')! });
markReadyWhen('.svelte-flow__node-flowNode');
