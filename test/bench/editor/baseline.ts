// Baseline: a bare @xyflow/svelte page with default nodes, rendering only visible elements
// and given node sizes and handles up front (the fastest stock setup, docs/performance.md).
import { mount } from 'svelte';
import Baseline from './Baseline.svelte';
import { generateDesign } from './generate';
import { markReadyWhen } from './probe';

const design = generateDesign(Number(new URLSearchParams(location.search).get('n') ?? 100));
mount(Baseline, { target: document.getElementById('app')!, props: { flow: design.flows[0]! } });
markReadyWhen('.svelte-flow__node');
