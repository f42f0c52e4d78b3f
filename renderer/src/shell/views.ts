import type { Component } from 'svelte';
import StartPage from '../pages/StartPage.svelte';
import DevicesView from '../devices/DevicesView.svelte';
import FlowsView from '../flows/FlowsView.svelte';
import CommissionView from '../commission/CommissionView.svelte';
import LibraryView from '../library/LibraryView.svelte';
import DeployView from '../deploy/DeployView.svelte';
import InspectorView from '../broker/InspectorView.svelte';
import TracesView from '../traces/TracesView.svelte';
import DevicePage from '../device/DevicePage.svelte';
import GatewaysView from '../gateways/GatewaysView.svelte';

/** One top-level view of the app shell, listed in the side bar. */
export interface View {
  readonly id: string;
  readonly title: string;
  /** A short glyph for the side bar. */
  readonly icon: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly component: Component<any>;
  /** A page reached from another view (a device's page from Devices): not in the side bar, which marks its parent. */
  readonly parent?: string;
}

/** The side bar, top to bottom. Each area adds its view here. */
export const views: readonly View[] = [
  { id: 'home', title: 'Home', icon: '⌂', component: StartPage },
  { id: 'devices', title: 'Devices', icon: '◉', component: DevicesView },
  { id: 'flows', title: 'Flows', icon: '⋔', component: FlowsView },
  { id: 'commission', title: 'Commission', icon: '⚡', component: CommissionView },
  { id: 'library', title: 'Library', icon: '▤', component: LibraryView },
  { id: 'deploy', title: 'Deploy', icon: '⇪', component: DeployView },
  { id: 'gateways', title: 'Gateways', icon: '⛁', component: GatewaysView },
  { id: 'inspector', title: 'Broker', icon: '≋', component: InspectorView },
  { id: 'traces', title: 'Traces', icon: '☰', component: TracesView },
  { id: 'device', title: 'Device', icon: '◉', component: DevicePage, parent: 'devices' },
];
