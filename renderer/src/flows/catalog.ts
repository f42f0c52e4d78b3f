/**
 * The node catalog (shared/core/flow/catalog) as the canvas sees it: NodeKindSpec entries
 * with ports typed by their payload shape, the config schema annotated with the inspector's
 * widgets (expressions, role and member pickers), and each node's fixed size and handles.
 * Output types follow the roles in scope, so a motion trigger's port says "boolean".
 */
import {
  configWithDefaults,
  getNodeKind,
  inputPortsOf,
  layoutNode,
  nodeKinds,
  outputPortsOf,
  type NodeKind,
  type PortSpec as CatalogPort,
} from '../../../shared/core/flow/catalog';
import type { DataShape, RoleInScope } from '../../../shared/core/flow/scope';
import type { ConfigSchema, NodeKindSpec, PortSpec } from '../canvas/types';

const categoryTitle: Record<NodeKind['category'], string> = {
  trigger: 'Triggers',
  logic: 'Logic',
  action: 'Actions',
};

/** Glyphs for the catalog's icon names, so the canvas needs no icon font. */
const glyphs: Record<string, string> = {
  bolt: '⚡',
  activity: '∿',
  repeat: '↻',
  calendar: '▦',
  sun: '☀',
  inbox: '⇲',
  play: '▶',
  power: '⚑',
  alert: '⚠',
  'alert-triangle': '⚠',
  'git-branch': '⋔',
  shuffle: '⤮',
  scale: '⚖',
  clock: '◷',
  hourglass: '⊙',
  timer: '◴',
  filter: '▽',
  variable: '𝑥',
  edit: '✎',
  hash: '#',
  merge: '⋈',
  zap: '⚡',
  sliders: '≡',
  send: '⇱',
  globe: '◍',
  webhook: '⇘',
  reply: '↩',
  'file-text': '☰',
  'play-circle': '▷',
  square: '■',
  'clock-4': '◶',
  gauge: '◔',
  wand: '✦',
  waves: '≈',
  workflow: '⇶',
  split: '⋔',
  braces: '{}',
  'toggle-left': '◐',
  monitor: '▭',
};

const typeOf = (shape: DataShape): string => shape.type ?? 'any';

const portOf = (p: CatalogPort, shape: DataShape = p.shape): PortSpec => ({
  name: p.name,
  label: p.label,
  type: typeOf(shape),
});

/** Adds the inspector's widget hints to the kind's config schema (a copy; the catalog is untouched). */
const annotatedSchema = (kind: NodeKind): ConfigSchema => {
  const schema = JSON.parse(JSON.stringify(kind.config)) as {
    properties?: Record<string, Record<string, unknown>>;
  };
  const props = schema.properties ?? {};
  for (const e of kind.expressions) {
    const prop = props[e.path];
    if (!prop) continue;
    prop['x-fieldgraph-widget'] = 'cel';
    if (e.expects) prop['x-fieldgraph-expects'] = e.expects;
  }
  for (const ref of kind.roleRefs) {
    if (props[ref.roleField]) props[ref.roleField]!['x-fieldgraph-widget'] = 'role';
    const member = props[ref.memberField];
    if (member) {
      member['x-fieldgraph-widget'] = 'member';
      member['x-fieldgraph-member'] = ref.member;
      member['x-fieldgraph-role-field'] = ref.roleField;
    }
  }
  return schema as ConfigSchema;
};

const keyConfigOf = (kind: NodeKind): string[] => {
  if (kind.placeholder) return ['type', 'name'];
  const keys = [
    // A panel node is known by the widget it puts on the panel.
    ...(kind.config.properties.widget ? ['widget'] : []),
    ...kind.roleRefs.map((r) => r.memberField),
    // `urlFrom`/`secondsFrom` override `url`/`seconds` and are mostly empty: the setting shows instead.
    ...kind.expressions.filter((e) => !e.path.includes('.') && !e.path.endsWith('From')).map((e) => e.path),
    ...Object.keys(kind.config.properties).filter((k) =>
      ['topic', 'cron', 'seconds', 'event', 'url', 'path'].includes(k),
    ),
  ];
  return [...new Set(keys)].slice(0, 2);
};

/**
 * The canvas catalog for a design whose roles are `roles`: rebuilt when the roles change, so
 * port types (and the cached layouts) follow the capabilities bound to each role.
 */
export const canvasCatalog = (roles: readonly RoleInScope[]): ReadonlyMap<string, NodeKindSpec> =>
  new Map(
    nodeKinds.map((kind): [string, NodeKindSpec] => {
      const defaults = configWithDefaults(kind, {});
      const layout = (config: Readonly<Record<string, unknown>>) => {
        const full = { ...defaults, ...config };
        const { width, height, handles } = layoutNode(kind, full);
        const narrowed = kind.outputShape?.(full, { roles, input: {}, expressionType: () => undefined });
        const outputs = outputPortsOf(kind, full);
        return {
          width,
          height,
          handles,
          inputs: inputPortsOf(kind, full).map((p) => portOf(p)),
          outputs: outputs.map((p) => portOf(p, outputs.length === 1 && narrowed ? narrowed : p.shape)),
        };
      };
      return [
        kind.kind,
        {
          kind: kind.kind,
          title: kind.title,
          category: categoryTitle[kind.category],
          icon: glyphs[kind.icon] ?? kind.icon.slice(0, 1).toUpperCase(),
          description: kind.doc,
          inputs: inputPortsOf(kind, defaults).map((p) => portOf(p)),
          outputs: outputPortsOf(kind, defaults).map((p) => portOf(p)),
          config: annotatedSchema(kind),
          defaults,
          keyConfig: keyConfigOf(kind),
          layout,
          ...(kind.placeholder ? { placeholder: true } : {}),
        },
      ];
    }),
  );

/** The catalog kind behind a spec (for the validator and the inspector's docs). */
export const catalogKind = (kind: string): NodeKind | undefined => getNodeKind(kind);
