import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../durable-file';

/** One QoS 1 message waiting for its PUBACK. */
export interface OutboxEntry {
  readonly seq: number;
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
}

/**
 * A disk outbox for QoS 1 output: a message is appended (and written to the OS) before it is
 * published, marked acknowledged after the broker's PUBACK, and everything unacknowledged is
 * handed back by `pending()` after a restart, in the original order.
 */
export interface Outbox {
  /** Appends a message; returns its sequence number. */
  add(topic: string, payload: Buffer | string, retain: boolean): OutboxEntry;
  /** Marks a message delivered. */
  ack(seq: number): void;
  /** Unacknowledged messages, oldest first. */
  pending(): OutboxEntry[];
  /** How many messages are unacknowledged. */
  size(): number;
  /** Closes the file; pending messages stay on disk for the next start. */
  close(): void;
}

type Line = { s: number; t: string; p: string; r: boolean } | { a: number };

const FILE = 'outbox.jsonl';
// Rewrite the log once this many acknowledgements have piled up, so the file stays small.
const COMPACT_AFTER_ACKS = 2_000;

const readEntries = (path: string): Map<number, OutboxEntry> => {
  const entries = new Map<number, OutboxEntry>();
  if (!existsSync(path)) return entries;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (!text) continue;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      // a line torn by a crash mid-write: the message behind it was never published
      continue;
    }
    if ('a' in line) entries.delete(line.a);
    else
      entries.set(line.s, {
        seq: line.s,
        topic: line.t,
        payload: Buffer.from(line.p, 'base64'),
        retain: line.r,
      });
  }
  return entries;
};

const encode = (entry: OutboxEntry): string =>
  JSON.stringify({ s: entry.seq, t: entry.topic, p: entry.payload.toString('base64'), r: entry.retain }) +
  '\n';

/** Opens (or creates) the outbox in `dir`, compacting what a previous run left. */
export const openOutbox = (dir: string): Outbox => {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, FILE);
  const entries = readEntries(path);
  let nextSeq = 1;
  for (const seq of entries.keys()) nextSeq = Math.max(nextSeq, seq + 1);
  let fd = -1;
  let acksSinceCompact = 0;

  const rewrite = (): void => {
    if (fd >= 0) closeSync(fd);
    try {
      writeFileDurably(path, [...entries.values()].map(encode), { temp: `${path}.tmp` });
    } finally {
      // Appends go on to whichever file is in place: the new one, or the old one intact.
      fd = openSync(path, 'a');
    }
    acksSinceCompact = 0;
  };
  rewrite();

  return {
    add(topic, payload, retain) {
      const entry: OutboxEntry = { seq: nextSeq++, topic, payload: Buffer.from(payload), retain };
      entries.set(entry.seq, entry);
      writeSync(fd, encode(entry));
      return entry;
    },
    ack(seq) {
      if (!entries.delete(seq)) return;
      writeSync(fd, JSON.stringify({ a: seq }) + '\n');
      if (++acksSinceCompact >= COMPACT_AFTER_ACKS) rewrite();
    },
    pending: () => [...entries.values()],
    size: () => entries.size,
    close() {
      if (fd < 0) return;
      fsyncSync(fd);
      closeSync(fd);
      fd = -1;
    },
  };
};
