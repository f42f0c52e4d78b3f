import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncPath, writeFileDurably, writeSyncedFile } from '../../../../shared/node/durable-file';
import { useCleanups } from '../../../helpers/cleanups';

const cleanups = useCleanups();

describe('durable writes', () => {
  it('replaces a file with bytes, text or chunks in order, leaving no temporary file', () => {
    const dir = cleanups.tempDir('fg-durable-');
    const path = join(dir, 'state.json');
    writeFileSync(path, 'old');
    writeFileDurably(path, new Uint8Array([0x61, 0x62]));
    expect(readFileSync(path, 'utf8')).toBe('ab');
    writeFileDurably(path, 'text ✓');
    expect(readFileSync(path, 'utf8')).toBe('text ✓');
    writeFileDurably(path, ['one\n', Buffer.from('two\n'), 'three\n']);
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\nthree\n');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('stages under the temporary name it is given, replacing a leftover one', () => {
    const dir = cleanups.tempDir('fg-durable-');
    const path = join(dir, 'pkg.fgpkg');
    writeFileSync(`${path}.partial`, 'left by a crash');
    writeFileDurably(path, 'whole', { temp: `${path}.partial`, mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('whole');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['pkg.fgpkg']);
  });

  it('keeps the old file and removes its temporary file when the write cannot finish', () => {
    const dir = cleanups.tempDir('fg-durable-');
    // A folder in the target's place: the rename fails after the bytes were staged.
    const path = join(dir, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'kept');
    expect(() => writeFileDurably(path, 'new')).toThrow();
    expect(readFileSync(join(path, 'inside'), 'utf8')).toBe('kept');
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('creates a synced file only where none exists, and syncs folders', () => {
    const dir = cleanups.tempDir('fg-durable-');
    const path = join(dir, 'package.fgpkg');
    writeSyncedFile(path, 'first');
    expect(() => writeSyncedFile(path, 'second')).toThrow(/EEXIST/);
    expect(readFileSync(path, 'utf8')).toBe('first');
    syncPath(dir);
    syncPath(path);
    expect(() => syncPath(join(dir, 'missing'))).toThrow(/ENOENT/);
    expect(existsSync(path)).toBe(true);
  });
});
