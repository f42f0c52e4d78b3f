/**
 * MQTT topic filters for trigger lookup: exact topics by a Map, wildcard filters (+, #) by a
 * short list, so the common case costs one hash lookup per message.
 */
import { hasWildcard, topicMatches } from '../topics/match';

// What `match` returns when nothing matches: one shared empty list, not one per message.
const none: readonly never[] = Object.freeze([]);

/** Maps topic filters to values; `match` returns every value whose filter matches a topic. */
export class TopicIndex<T> {
  readonly #exact = new Map<string, T[]>();
  readonly #wild: { filter: string; value: T }[] = [];

  /** Adds a value under a filter. */
  add(filter: string, value: T): void {
    if (hasWildcard(filter)) {
      this.#wild.push({ filter, value });
      return;
    }
    const list = this.#exact.get(filter);
    if (list) list.push(value);
    else this.#exact.set(filter, [value]);
  }

  /** Every distinct filter, for subscribing. */
  filters(): string[] {
    return [...new Set([...this.#exact.keys(), ...this.#wild.map((w) => w.filter)])];
  }

  /** Values whose filter matches `topic`; exact matches first. */
  match(topic: string): readonly T[] {
    const exact = this.#exact.get(topic);
    if (this.#wild.length === 0) return exact ?? none;
    const out = exact ? [...exact] : [];
    for (const w of this.#wild) if (topicMatches(w.filter, topic)) out.push(w.value);
    return out;
  }
}
