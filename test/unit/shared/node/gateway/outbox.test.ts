import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openOutbox } from '../../../../../shared/node/gateway/outbox';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-outbox-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('disk outbox', () => {
  it('hands back unacknowledged messages after a restart, in order, with their bytes', () => {
    const dir = tempDir();
    const first = openOutbox(dir);
    const a = first.add('out/a', 'one', false);
    const b = first.add('out/b', Buffer.from([0, 255, 1]), true);
    first.add('out/c', 'three', false);
    first.ack(a.seq);
    // no close(): a crash leaves the file as it is
    const second = openOutbox(dir);
    const pending = second.pending();
    expect(pending.map((e) => e.topic)).toEqual(['out/b', 'out/c']);
    expect([...pending[0].payload]).toEqual([0, 255, 1]);
    expect(pending[0].retain).toBe(true);
    const next = second.add('out/d', 'four', false);
    expect(next.seq).toBeGreaterThan(b.seq + 1);
    second.close();
  });

  it('skips a line torn by a crash and keeps the rest', () => {
    const dir = tempDir();
    const outbox = openOutbox(dir);
    outbox.add('out/a', 'one', false);
    outbox.close();
    appendFileSync(join(dir, 'outbox.jsonl'), '{"s":7,"t":"out/x","p":"AA');
    const reopened = openOutbox(dir);
    expect(reopened.pending().map((e) => e.topic)).toEqual(['out/a']);
    reopened.close();
  });

  it('compacts acknowledged messages away', () => {
    const dir = tempDir();
    const outbox = openOutbox(dir);
    for (let i = 0; i < 2_500; i++) outbox.ack(outbox.add('out/x', `m${i}`, false).seq);
    outbox.add('out/last', 'kept', false);
    outbox.close();
    const lines = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(1_200);
    expect(
      openOutbox(dir)
        .pending()
        .map((e) => e.topic),
    ).toEqual(['out/last']);
  });
});
