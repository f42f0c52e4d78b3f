/**
 * Writes a project folder holding one generated flow (see generate.ts) the way Fieldgraph saves
 * it, for the drop benchmark to open through the app's own Open project dialog.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newProject, stableStringify } from '../../../shared/core/project';
import { toFlowDocument } from '../../../renderer/src/flows/documents';
import { generateDesign } from './generate';

/** Writes `<dir>/fieldgraph.json` and `<dir>/flows/bench.json` with `count` nodes; returns the flow's size in bytes. */
export const writeBenchProject = (dir: string, count: number): number => {
  const project = newProject('bench', `Bench ${count}`, new Date().toISOString());
  for (const kind of ['flows', 'models', 'sites']) mkdirSync(join(dir, kind), { recursive: true });
  writeFileSync(join(dir, 'fieldgraph.json'), stableStringify(project.meta));
  const text = stableStringify(toFlowDocument(generateDesign(count).flows[0]!));
  writeFileSync(join(dir, 'flows', 'bench.json'), text);
  return text.length;
};

/** The stored document of the generated flow, as a client would put it whole. */
export const benchFlowDocument = (count: number): Record<string, unknown> =>
  toFlowDocument(generateDesign(count).flows[0]!);
