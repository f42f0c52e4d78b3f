/**
 * Pure helpers of the Library view: search over capability and device-model summaries, and
 * short descriptions of value types and wire bindings for the detail panel.
 */
import type { Static } from '@sinclair/typebox';
import type { CapabilitySummary, DeviceModelSummary } from '../../../shared/core/api/areas/library';
import type {
  DataSchema,
  Subscription,
  PropertyBinding,
  WireOperation,
} from '../../../shared/core/model/schemas';

/** One row of the library list. */
export type LibraryEntry =
  | { kind: 'capability'; item: Static<typeof CapabilitySummary> }
  | { kind: 'deviceModel'; item: Static<typeof DeviceModelSummary> };

/** Which entries to show. */
export type LibraryKind = 'all' | 'capability' | 'deviceModel';

const haystack = (entry: LibraryEntry): string => {
  const i = entry.item;
  const extra =
    entry.kind === 'capability'
      ? [...entry.item.tags, ...entry.item.extends]
      : [entry.item.manufacturer, entry.item.firmware, ...entry.item.protocols, ...entry.item.capabilities];
  return [i.id, i.title, i.description, ...extra].filter(Boolean).join(' ').toLowerCase();
};

/** Entries matching every word of the query (case-insensitive): capabilities by id, title, description, tags and parents; models also by maker, firmware, protocols and the capabilities they offer. */
export const searchLibrary = (
  entries: readonly LibraryEntry[],
  query: string,
  kind: LibraryKind,
): LibraryEntry[] => {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter(
    (e) => (kind === 'all' || e.kind === kind) && words.every((w) => haystack(e).includes(w)),
  );
};

/** A short type description: `number (°C)`, `"open" | "closed"`, `integer 0–100 %`, `object {r, g, b}`. */
export const describeData = (data: DataSchema | undefined): string => {
  if (!data) return '—';
  if (data.enum) return data.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (data.const !== undefined) return JSON.stringify(data.const);
  const range =
    data.minimum !== undefined || data.maximum !== undefined
      ? ` ${data.minimum ?? '…'}–${data.maximum ?? '…'}`
      : '';
  const unit = data.unit ? ` ${data.unit}` : '';
  if (data.type === 'object' && data.properties) return `object {${Object.keys(data.properties).join(', ')}}`;
  if (data.type === 'array') return `list of ${describeData(data.items)}`;
  return `${data.type ?? 'any'}${range}${unit}`;
};

/** One line per wire operation: `MQTT cmnd/{topic}/POWER ← "{{value}}"`, `RPC Switch.Set`, `HTTP GET http://{host}/cm?…`. */
export const describeOperation = (op: WireOperation): string => {
  switch (op.kind) {
    case 'mqtt':
      return `MQTT ${op.topic} ← ${typeof op.payload === 'string' ? op.payload : JSON.stringify(op.payload ?? '{{value}}')}`;
    case 'http':
      return `HTTP ${op.method} ${op.url}${op.valuePath ? ` → ${op.valuePath}` : ''}`;
    case 'rpc':
      return `RPC ${op.method}${op.via ? ` over ${op.via.toUpperCase()}` : ''} ${JSON.stringify(op.params ?? {})}`;
  }
};

/** One line per subscription: `MQTT stat/{topic}/RESULT → POWER`, `HTTP SSE http://{host}/events`. */
export const describeSubscription = (sub: Subscription): string =>
  `${sub.kind === 'mqtt' ? `MQTT ${sub.topic}` : `HTTP ${sub.mode === 'sse' ? 'SSE' : 'long-poll'} ${sub.url}${sub.event ? ` (${sub.event})` : ''}`}${sub.valuePath ? ` → ${sub.valuePath}` : ''}${sub.where?.length ? ` (when ${sub.where.map((w) => `${w.path} = ${JSON.stringify(w.equals)}`).join(', ')})` : ''}`;

/** The lines that describe a property binding, labelled read / write / observe. */
export const describePropertyBinding = (b: PropertyBinding): { label: string; text: string }[] => [
  ...(b.read ? [{ label: 'read', text: describeOperation(b.read) }] : []),
  ...(b.write ? [{ label: 'write', text: describeOperation(b.write) }] : []),
  ...(b.observe ?? []).map((s) => ({ label: 'observe', text: describeSubscription(s) })),
];
