import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs build script without type declarations
import * as check from '../../../scripts/node-check.mjs';

const { BUILD_NODE, DESKTOP_NODE, atLeast, startProblem } = check as {
  BUILD_NODE: number[];
  DESKTOP_NODE: number[];
  atLeast: (version: string, wanted: number[]) => boolean;
  startProblem: (version: string, hasElectronBinary: boolean) => string[] | null;
};

describe('what npm start says about the Node.js in use', () => {
  it('compares versions part by part, with or without the v', () => {
    expect(atLeast('22.12.0', DESKTOP_NODE)).toBe(true);
    expect(atLeast('v22.11.9', DESKTOP_NODE)).toBe(false);
    expect(atLeast('23.0.0', DESKTOP_NODE)).toBe(true);
    expect(atLeast('20.20.2', BUILD_NODE)).toBe(true);
    expect(atLeast('20.9.0', BUILD_NODE)).toBe(false);
  });

  it('names the needed version, the one in use and the fix, and offers the web app when Electron is the only gap', () => {
    const desktop = startProblem('20.20.2', false)!.join('\n');
    expect(desktop).toContain('needs Node.js 22.12.0 or newer');
    expect(desktop).toContain('This is Node.js 20.20.2');
    expect(desktop).toContain('nvm install 22');
    expect(desktop).toContain('npx fieldgraph web');
    const build = startProblem('18.20.0', false)!.join('\n');
    expect(build).toContain('needs Node.js 20.19.0 or newer to build');
    expect(build).not.toContain('npx fieldgraph web');
  });

  it('lets an Electron binary fetched earlier start on Node 20, and a new enough Node go on', () => {
    expect(startProblem('20.20.2', true)).toBeNull();
    expect(startProblem('22.12.0', false)).toBeNull();
  });
});
