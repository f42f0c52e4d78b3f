import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredRun } from '../../../../shared/core/engine/trace-query';
import { flowHash } from '../../../../shared/core/engine/trace-query';
import type { Flow } from '../../../../renderer/src/canvas/types';
import { toFlowDocument } from '../../../../renderer/src/flows/documents';
import { editor } from '../../../../renderer/src/flows/session.svelte';
import { flowForTrace, hashOf } from '../../../../renderer/src/traces/versions.svelte';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

const lights: Flow = {
  id: 'lights',
  name: 'Lights',
  nodes: [{ id: 'n1', kind: 'logic.delay', config: { seconds: 1 }, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
};

/** A stored run of `lights` that ran on the flow document hashing to `hash`. */
const runOn = (hash: string | null, packageVersion?: number) =>
  ({
    flowId: 'lights',
    ...(hash ? { flowVersion: { hash, ...(packageVersion !== undefined ? { packageVersion } : {}) } } : {}),
  }) as unknown as StoredRun;

beforeEach(() => {
  editor.load({ flows: [lights], roles: [] });
});

describe('the version a run is drawn on', () => {
  it('hashes a flow as the gateway hashes its document', () => {
    expect(hashOf(lights)).toBe(flowHash(toFlowDocument(lights)));
  });

  it('says the open flow is exactly what ran when the hashes agree', () => {
    const shown = flowForTrace('lights', runOn(hashOf(lights), 3));
    expect(shown).toEqual({
      flow: editor.design.flows[0],
      version: `${hashOf(lights)} in package v3 — exactly the flow open in the editor.`,
      exact: true,
    });
  });

  it('says the open flow has changed since the run, naming both versions', () => {
    const ranOn = hashOf(lights);
    editor.setField('n1', 'seconds', 30, false);
    const now = editor.design.flows[0]!;
    const shown = flowForTrace('lights', runOn(ranOn));
    expect(shown?.flow).toBe(now);
    expect(shown?.exact).toBeUndefined();
    expect(shown?.version).toBe(
      `${ranOn}. Drawn on the flow open in the editor (${hashOf(now)}), which has changed since: nodes may differ.`,
    );
  });

  it('draws on the open flow when the gateway recorded no version, and says so', () => {
    expect(flowForTrace('lights', runOn(null))?.version).toBe(
      'Not recorded by the gateway; drawn on the flow open in the editor.',
    );
  });

  it('says the flow is not open here when the editor has no flow of that id', () => {
    expect(flowForTrace('heating', runOn(null))).toBeUndefined();
    expect(flowForTrace('heating', { ...runOn('abc123'), flowId: 'heating' } as StoredRun)).toEqual({
      flow: undefined,
      version: 'abc123; the flow is not open here.',
    });
  });
});
