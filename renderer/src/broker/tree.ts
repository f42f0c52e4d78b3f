import type { Static } from '@sinclair/typebox';
import type { InspectorTopic } from '../../../shared/core/api/areas/broker-inspector';

/** One topic as the service reports it. */
export type TopicSummary = Static<typeof InspectorTopic>;

/** One level of the topic tree: a topic, a folder of topics, or both (`a` and `a/b`). */
export interface TreeNode {
  readonly name: string;
  /** The topic up to and including this level. */
  readonly path: string;
  readonly depth: number;
  readonly children: Map<string, TreeNode>;
  /** The children sorted by name; rebuilt only after a child was added. */
  sorted: TreeNode[] | null;
  /** The topic's own summary, when messages arrived on exactly this path. */
  topic: TopicSummary | null;
  /** Messages and topics in this subtree, and when it last changed. */
  messages: number;
  topics: number;
  lastAt: number;
}

/** One visible row of the tree. */
export interface TreeRow {
  readonly node: TreeNode;
  /** Indentation level (0 in a flat, filtered list). */
  readonly indent: number;
  readonly label: string;
  readonly expandable: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

const newNode = (name: string, path: string, depth: number): TreeNode => ({
  name,
  path,
  depth,
  children: new Map(),
  sorted: null,
  topic: null,
  messages: 0,
  topics: 0,
  lastAt: 0,
});

/**
 * The topic tree of the inspector. Batches of topic summaries update it in place (cost per
 * topic: its depth), and `rows` flattens only the expanded part, so 2,000 topics stay cheap
 * at four batches a second. Deliberately not reactive: the view re-derives its rows from a
 * version counter it bumps after each batch.
 */
export const createTopicTree = () => {
  const root = newNode('', '', -1);
  const byTopic = new Map<string, TreeNode>();

  const nodeFor = (topic: string): { node: TreeNode; trail: TreeNode[] } => {
    const trail: TreeNode[] = [root];
    let node = root;
    // MQTT topics may start with "/" or hold empty levels: each is a level of its own.
    const levels = topic.split('/');
    for (let i = 0; i < levels.length; i++) {
      const name = levels[i] as string;
      let child = node.children.get(name);
      if (!child) {
        child = newNode(name, levels.slice(0, i + 1).join('/'), i);
        node.children.set(name, child);
        node.sorted = null;
      }
      trail.push(child);
      node = child;
    }
    return { node, trail };
  };

  return {
    root,
    /** Applies one batch of changed topics. */
    apply(topics: readonly TopicSummary[]): void {
      for (const summary of topics) {
        const { node, trail } = nodeFor(summary.topic);
        byTopic.set(summary.topic, node);
        const delta = summary.count - (node.topic?.count ?? 0);
        const added = node.topic ? 0 : 1;
        node.topic = summary;
        for (const level of trail) {
          level.messages += delta;
          level.topics += added;
          if (summary.lastAt > level.lastAt) level.lastAt = summary.lastAt;
        }
      }
    },
    /** Forgets everything (the inspector stopped or switched broker). */
    clear(): void {
      root.children.clear();
      root.sorted = null;
      root.messages = 0;
      root.topics = 0;
      root.lastAt = 0;
      byTopic.clear();
    },
    get(topic: string): TreeNode | undefined {
      return byTopic.get(topic);
    },
    /**
     * The visible rows: the expanded part of the tree, or with a filter, every topic containing
     * the text (case-insensitive) as a flat list, at most `limit` of them.
     */
    rows(expanded: ReadonlySet<string>, filter = '', limit = 5000): TreeRow[] {
      const out: TreeRow[] = [];
      const needle = filter.trim().toLowerCase();
      if (needle) {
        for (const node of byTopic.values()) {
          if (node.path.toLowerCase().includes(needle)) {
            out.push({ node, indent: 0, label: node.path, expandable: false });
            if (out.length >= limit) break;
          }
        }
        return out.sort((a, b) => collator.compare(a.node.path, b.node.path));
      }
      const walk = (node: TreeNode): void => {
        node.sorted ??= [...node.children.values()].sort((a, b) => collator.compare(a.name, b.name));
        for (const child of node.sorted) {
          if (out.length >= limit) return;
          const expandable = child.children.size > 0;
          out.push({
            node: child,
            indent: child.depth,
            label: child.name === '' ? '(empty)' : child.name,
            expandable,
          });
          if (expandable && expanded.has(child.path)) walk(child);
        }
      };
      walk(root);
      return out;
    },
  };
};

/** A topic tree. */
export type TopicTree = ReturnType<typeof createTopicTree>;
