import { describe, expect, it } from 'vitest';
import { openTrace, traceNav } from '../../../../renderer/src/traces/open.svelte';
import { nav } from '../../../../renderer/src/shell/nav.svelte';

describe('openTrace', () => {
  it('shows the Traces view for a gateway reached over its broker, opening a run', async () => {
    openTrace(
      { brokerUrl: 'mqtt://127.0.0.1:1883', gatewayId: 'gw-hall', extra: 'ignored' } as never,
      'run-42',
    );
    expect(traceNav).toEqual({
      gateway: { brokerUrl: 'mqtt://127.0.0.1:1883', gatewayId: 'gw-hall' },
      runId: 'run-42',
    });
    await Promise.resolve();
    expect(nav.view).toBe('traces');
  });

  it('takes a gateway reached over HTTP, with no run to open', () => {
    openTrace({ httpUrl: 'http://127.0.0.1:8080', gatewayId: 'gw-shop' });
    expect(traceNav).toEqual({
      gateway: { httpUrl: 'http://127.0.0.1:8080', gatewayId: 'gw-shop' },
      runId: null,
    });
  });
});
