/**
 * The Flows view's state: the design being edited, the open flow, the selection and the
 * undo history. Every edit goes through `apply` (one undo step, named); loading a design
 * replaces it without touching the history.
 */
import { applyChanges, type Change } from '../canvas/changes';
import { align, autoLayout, distribute, type Alignment } from '../canvas/arrange';
import {
  addDevice,
  addFlow,
  addNode,
  addRole,
  bindRole,
  connect,
  fragmentOf,
  groupNodes,
  idSet,
  insertFragment,
  moveNodes,
  randomId,
  relabelGroup,
  remove,
  removeRole,
  removeFlow,
  renameFlow,
  replaceDevice,
  setConfig,
  ungroup,
  type Fragment,
  type IdMaker,
} from '../canvas/commands';
import { fragmentToText, textToFragment } from '../canvas/clipboard';
import { createHistory } from '../canvas/history';
import type { Design, Flow, NodeKindSpec, Point, PortRef, Problem, Role, SiteDevice } from '../canvas/types';
import type { Offer } from './offers';
import type { DeviceAuth } from '../../../shared/core/model/schemas';
import { withAuth, withSetting } from './device-settings';
import { rolesInScope } from '../../../shared/core/flow/roles';
import type { RoleInScope } from '../../../shared/core/flow/scope';
import { capabilityCatalog, type CapabilityInfo } from './capabilities';
import { canvasCatalog } from './catalog';
import { sameProblems, workerValidator, type Validator } from './validator';
import type { ProvidedByRole } from './validate';

/** The flow format's limit on a group label (shared/core/flow/schema.ts). */
const GROUP_LABEL_MAX = 120;
/** Where pasted nodes land relative to the copied ones when no cursor position is known. */
const PASTE_OFFSET = 40;
const NO_CAPABILITIES: ReadonlyMap<string, CapabilityInfo> = new Map();

/** The Flows view's editor: design, active flow, selection, history and clipboard. */
export class FlowEditor {
  design = $state.raw<Design>({ flows: [], roles: [] });
  activeFlowId = $state<string | null>(null);
  /** Selected node and edge ids of the active flow, as xyflow reports them. */
  selectedNodes = $state.raw<ReadonlySet<string>>(idSet());
  selectedEdges = $state.raw<ReadonlySet<string>>(idSet());
  /** When set, the canvas selects exactly these nodes on its next update. */
  selectRequest = $state.raw<ReadonlySet<string> | null>(null);
  /** Bumped on undo/redo/edits so toolbar buttons re-read `canUndo`/`canRedo`. */
  revision = $state(0);
  /** The last message for the status line (what was undone, why a paste failed, …). */
  status = $state('');

  private readonly history = createHistory();
  /** Edits with the same merge key in a row (keystrokes in one field) make one undo step. */
  private mergeKey: string | null = null;
  private lastRoles: readonly Role[] | null = null;
  private lastCapabilities: ReadonlyMap<string, CapabilityInfo> | null = null;
  private lastScope: RoleInScope[] = [];

  /**
   * The library's capabilities, by id: empty until the library has arrived (see `ready`), then
   * each new reading of it (another project opened, the project's models changed).
   */
  readonly capabilities: ReadonlyMap<string, CapabilityInfo> = $derived.by(
    () => this.library() ?? NO_CAPABILITIES,
  );
  /** Whether the library has arrived; until it has, the design is kept but not validated. */
  readonly ready: boolean = $derived.by(() => this.library() !== null);

  /**
   * The roles with their capabilities. Kept as the same array while the design's roles and the
   * library are unchanged, so the catalog (and every node's layout) is not rebuilt on each edit.
   */
  readonly roles: RoleInScope[] = $derived.by(() => {
    const roles = this.design.roles;
    const capabilities = this.capabilities;
    if (roles !== this.lastRoles || capabilities !== this.lastCapabilities) {
      this.lastRoles = roles;
      this.lastCapabilities = capabilities;
      this.lastScope = rolesInScope(roles, capabilityCatalog(capabilities));
    }
    return this.lastScope;
  });
  readonly catalog: ReadonlyMap<string, NodeKindSpec> = $derived.by(() => canvasCatalog(this.roles));
  /** The design's problems, from the validator worker (a moment after each edit). */
  problems = $state.raw<Problem[]>([]);
  /**
   * What the device bound to each role on the selected site provides; the view sets it (it
   * knows the device models), so the problems name a use the bound device cannot serve.
   */
  provided = $state.raw<ProvidedByRole>({});
  private validationSeq = 0;
  readonly activeFlow: Flow | null = $derived.by(
    () => this.design.flows.find((f) => f.id === this.activeFlowId) ?? null,
  );

  /**
   * `library` gives the capabilities to design against, or null while they are loading: the
   * editor then holds and shows the design but reports no problems, since every role would
   * otherwise read as an unknown capability for a moment.
   */
  constructor(
    private readonly library: () => ReadonlyMap<string, CapabilityInfo> | null,
    private readonly newId: IdMaker = randomId,
    validator: Validator = workerValidator(),
  ) {
    $effect.root(() => {
      $effect(() => {
        if (!this.ready) return;
        const seq = ++this.validationSeq;
        void validator(this.design, this.roles, this.provided).then((problems) => {
          // The same problems again (most edits): keep the array, so nothing redraws for them.
          if (seq === this.validationSeq && !sameProblems(this.problems, problems)) this.problems = problems;
        });
      });
    });
  }

  get canUndo(): boolean {
    void this.revision;
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    void this.revision;
    return this.history.canRedo;
  }

  /** Replaces the design (opening a project); never recorded, so undo cannot un-open. */
  load(design: Design): void {
    this.design = design;
    this.history.clear();
    this.activeFlowId = design.flows[0]?.id ?? null;
    this.selectedNodes = idSet();
    this.selectedEdges = idSet();
    this.revision++;
  }

  /**
   * Shows another site's devices and bindings on the design's roles. Like opening a file it is
   * not an edit: the history is cleared, since undoing a binding made for the previous site
   * would otherwise bind a role on this one.
   */
  loadSite(
    devices: readonly SiteDevice[],
    bindings: readonly { role: string; device: string; implementation?: string }[],
  ): void {
    const roles = this.design.roles.map((role) => {
      const { device: _d, implementation: _i, ...rest } = role;
      const b = bindings.find((x) => x.role === role.id);
      return b
        ? { ...rest, device: b.device, ...(b.implementation ? { implementation: b.implementation } : {}) }
        : rest;
    });
    this.design = { ...this.design, roles, devices };
    this.history.clear();
    this.mergeKey = null;
    this.revision++;
  }

  /**
   * Applies `changes` as one undo step called `label`; with a `mergeKey` equal to the previous
   * edit's, they join that step instead (typing into one field is one step, not one per key).
   */
  apply(label: string, changes: readonly Change[], mergeKey?: string): void {
    if (changes.length === 0) return;
    this.design = applyChanges(this.design, changes);
    if (!mergeKey || mergeKey !== this.mergeKey || !this.history.canUndo) this.history.mark(label);
    this.mergeKey = mergeKey ?? null;
    this.history.record(changes);
    this.revision++;
  }

  undo(): void {
    this.mergeKey = null;
    const step = this.history.undo();
    if (!step) return;
    this.design = applyChanges(this.design, step.changes);
    this.followFlowOf(step.changes);
    this.status = `Undid ${step.label.toLowerCase()}`;
    this.revision++;
  }

  redo(): void {
    this.mergeKey = null;
    const step = this.history.redo();
    if (!step) return;
    this.design = applyChanges(this.design, step.changes);
    this.followFlowOf(step.changes);
    this.status = `Redid ${step.label.toLowerCase()}`;
    this.revision++;
  }

  /** After undo/redo, show the flow that changed (an undone paste into another tab, say). */
  private followFlowOf(changes: readonly Change[]): void {
    const flowIds = idSet(this.design.flows.map((f) => f.id));
    const touched = changes
      .map((c) => ('flow' in c ? c.flow : c.after?.id))
      .find((id) => id && flowIds.has(id));
    if (touched) this.activeFlowId = touched;
    else if (this.activeFlowId && !flowIds.has(this.activeFlowId))
      this.activeFlowId = this.design.flows[0]?.id ?? null;
  }

  /** Opens a new empty flow as a tab. */
  newFlow(): void {
    const { changes, id } = addFlow(`Flow ${this.design.flows.length + 1}`, this.newId);
    this.apply('Add flow', changes);
    this.activeFlowId = id;
  }

  /** The selection of the active flow as a fragment (null when nothing is selected). */
  selectionFragment(): Fragment | null {
    const flow = this.activeFlow;
    if (!flow || this.selectedNodes.size === 0) return null;
    return fragmentOf(flow, this.selectedNodes);
  }

  /** The selection as clipboard text, or null when nothing is selected. */
  copyText(): string | null {
    const fragment = this.selectionFragment();
    return fragment ? fragmentToText(fragment) : null;
  }

  /** Pastes clipboard text into the active flow at `at` (or beside the originals). */
  pasteText(text: string, at?: Point): boolean {
    const flow = this.activeFlow;
    if (!flow) return false;
    let fragment: Fragment | null;
    try {
      fragment = textToFragment(text);
    } catch (error) {
      this.status = error instanceof Error ? error.message : String(error);
      return false;
    }
    if (!fragment) {
      this.status = 'The clipboard holds no Fieldgraph nodes.';
      return false;
    }
    this.paste(fragment, at);
    return true;
  }

  /** Inserts a fragment with fresh ids and selects it. */
  paste(fragment: Fragment, at?: Point): void {
    const flow = this.activeFlow;
    if (!flow) return;
    const origin = at ?? {
      x: Math.min(...fragment.nodes.map((n) => n.position.x)) + PASTE_OFFSET,
      y: Math.min(...fragment.nodes.map((n) => n.position.y)) + PASTE_OFFSET,
    };
    const { changes, nodeIds } = insertFragment(flow.id, fragment, origin, this.newId);
    this.apply(fragment.nodes.length === 1 ? 'Paste node' : `Paste ${fragment.nodes.length} nodes`, changes);
    this.selectRequest = idSet(nodeIds);
  }

  duplicate(): void {
    const fragment = this.selectionFragment();
    if (fragment) this.paste(fragment);
  }

  deleteSelection(): void {
    const flow = this.activeFlow;
    if (!flow) return;
    const changes = remove(this.design, flow.id, this.selectedNodes, this.selectedEdges);
    this.apply(this.selectedNodes.size > 0 ? 'Delete nodes' : 'Delete wires', changes);
  }

  /** Adds a node for `offer` at `at` in the active flow and selects it. */
  addOffer(offer: Offer, at: Point): void {
    const flow = this.activeFlow;
    const spec = this.catalog.get(offer.kind);
    if (!flow || !spec) return;
    const { changes, id } = addNode(flow.id, spec, snap(at), this.newId, offer.config);
    const role =
      offer.newRole && !this.design.roles.some((r) => r.id === offer.newRole?.id) ? offer.newRole : null;
    // A node for a newly dragged device brings its role (and the device, new to the site)
    // along, in the same undo step.
    const device = role && offer.newDevice ? addDevice(this.design, offer.newDevice) : [];
    this.apply(`Add ${spec.title}`, role ? [...device, ...addRole(role), ...changes] : changes);
    this.selectRequest = idSet([id]);
  }

  /** Sets one config field of a node; `live` edits (keystrokes) merge into one undo step. */
  setField(nodeId: string, key: string, value: unknown, live: boolean): void {
    const flow = this.activeFlow;
    const node = flow?.nodes.find((n) => n.id === nodeId);
    if (!flow || !node) return;
    const config = { ...node.config };
    if (value === undefined) delete config[key];
    else config[key] = $state.snapshot(value);
    this.apply(
      `Edit ${key}`,
      setConfig(this.design, flow.id, nodeId, config),
      live ? `${nodeId}:${key}` : undefined,
    );
  }

  move(positions: ReadonlyMap<string, Point>): void {
    const flow = this.activeFlow;
    if (!flow) return;
    const changes = moveNodes(this.design, flow.id, positions);
    this.apply(changes.length === 1 ? 'Move node' : `Move ${changes.length} nodes`, changes);
  }

  connect(from: PortRef, to: PortRef): void {
    const flow = this.activeFlow;
    if (flow) this.apply('Connect', connect(flow.id, from, to, this.newId));
  }

  selectAll(): void {
    this.selectRequest = idSet(this.activeFlow?.nodes.map((n) => n.id) ?? []);
  }

  private selectedNodeList() {
    return this.activeFlow?.nodes.filter((n) => this.selectedNodes.has(n.id)) ?? [];
  }

  align(how: Alignment): void {
    this.move(align(this.selectedNodeList(), this.catalog, how));
  }

  distribute(axis: 'x' | 'y'): void {
    this.move(distribute(this.selectedNodeList(), this.catalog, axis));
  }

  /** Lays the active flow out left to right with elkjs, as one undo step. */
  async autoLayout(): Promise<void> {
    const flow = this.activeFlow;
    if (!flow || flow.nodes.length === 0) return;
    const positions = await autoLayout(flow, this.catalog);
    const current = this.design.flows.find((f) => f.id === flow.id);
    // The flow may have changed while elk worked; lay out only what is still there.
    if (!current) return;
    this.apply('Auto-layout', moveNodes(this.design, flow.id, positions));
  }

  group(label: string): void {
    const flow = this.activeFlow;
    if (flow && this.selectedNodes.size > 0) {
      this.apply(
        'Group',
        groupNodes(this.design, flow.id, this.selectedNodes, label.slice(0, GROUP_LABEL_MAX), this.newId),
      );
    }
  }

  ungroup(groupId: string): void {
    const flow = this.activeFlow;
    if (flow) this.apply('Ungroup', ungroup(this.design, flow.id, groupId));
  }

  relabelGroup(groupId: string, label: string): void {
    const flow = this.activeFlow;
    if (flow)
      this.apply(
        'Rename group',
        relabelGroup(this.design, flow.id, groupId, label.slice(0, GROUP_LABEL_MAX)),
      );
  }

  renameFlow(flowId: string, name: string): void {
    this.apply('Rename flow', renameFlow(this.design, flowId, name));
  }

  closeFlow(flowId: string): void {
    this.apply('Delete flow', removeFlow(this.design, flowId));
    if (this.activeFlowId === flowId) this.activeFlowId = this.design.flows[0]?.id ?? null;
  }

  /** Adds a flow built elsewhere (a Node-RED import) as one undo step and shows it. */
  addImportedFlow(flow: Flow): void {
    this.apply('Import flow', [{ type: 'flow', before: null, after: flow }]);
    this.activeFlowId = flow.id;
  }

  addRole(role: Role): void {
    if (this.design.roles.some((r) => r.id === role.id)) {
      this.status = `There is already a role “${role.id}”; pick another name.`;
      return;
    }
    this.apply('Add role', addRole($state.snapshot(role)));
  }

  /** Binds a role to a site device, adding it to the site when new there (or unbinds it with null). */
  bindRole(roleId: string, device: SiteDevice | null, implementation?: string): void {
    this.apply(
      device ? 'Bind role' : 'Unbind role',
      bindRole(this.design, roleId, $state.snapshot(device), implementation),
    );
  }

  /** Gives a site device a setting (a model variable), or clears it with undefined; one undo step. */
  setDeviceSetting(deviceId: string, name: string, value: string | number | undefined): void {
    const device = this.design.devices?.find((d) => d.id === deviceId);
    if (!device) return;
    this.apply(
      value === undefined ? `Clear ${name}` : `Set ${name}`,
      replaceDevice(this.design, withSetting(device, name, value)),
    );
  }

  /** Sets a site device's login (a username and the password's secret reference), or removes it. */
  setDeviceAuth(deviceId: string, auth: DeviceAuth | undefined): void {
    const device = this.design.devices?.find((d) => d.id === deviceId);
    if (!device) return;
    this.apply(
      auth ? `Set login of ${device.name}` : `Remove login of ${device.name}`,
      replaceDevice(this.design, withAuth(device, $state.snapshot(auth))),
    );
  }

  removeRole(roleId: string): void {
    const changes = removeRole(this.design, roleId);
    if (changes.length > 0) this.apply('Remove role', changes);
  }
}

const GRID = 20;
const snap = (p: Point): Point => ({ x: Math.round(p.x / GRID) * GRID, y: Math.round(p.y / GRID) * GRID });
