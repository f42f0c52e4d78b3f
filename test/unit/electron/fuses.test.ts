/**
 * The packaged desktop app's Electron fuses, read from electron-builder.yml (the builder flips
 * them in the binary): no running as plain Node, no NODE_OPTIONS or --inspect, the app only
 * from its integrity-checked app.asar, cookies encrypted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The `key: value` lines of one top-level block of the builder config. */
const block = (yaml: string, name: string): Record<string, string> => {
  const lines = yaml.split('\n');
  const start = lines.findIndex((l) => l === `${name}:`);
  const out: Record<string, string> = {};
  if (start < 0) return out;
  for (const line of lines.slice(start + 1)) {
    const m = /^ {2}(\w+): *(.+)$/.exec(line);
    if (!m) break;
    out[m[1]!] = m[2]!.trim();
  }
  return out;
};

describe('Electron fuses in electron-builder.yml', () => {
  it('turns off every way in that the packaged app does not need', () => {
    const yaml = readFileSync('electron-builder.yml', 'utf8');
    expect(yaml).toMatch(/^asar: true$/m);
    expect(block(yaml, 'electronFuses')).toMatchObject({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
      enableCookieEncryption: 'true',
    });
  });
});
