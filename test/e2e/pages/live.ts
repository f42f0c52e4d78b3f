import { expect, type Locator, type Page } from '@playwright/test';

/** Try-it mode, the live overlay, the debug sidebar and the Traces view. */
export class LivePage {
  readonly debug: Locator;
  readonly traces: Locator;

  constructor(readonly page: Page) {
    this.debug = page.getByTestId('debug-panel');
    this.traces = page.getByTestId('traces-panel');
  }

  /** Starts try-it from the Flows toolbar against the broker it offers first (the demo's); returns that broker. */
  async tryIt(): Promise<string> {
    await this.page.getByTestId('try-it').click();
    const broker = this.page.getByTestId('try-it-broker');
    await expect(broker).toHaveValue(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const url = await broker.inputValue();
    await this.page.getByTestId('try-it-start').click();
    await expect(this.page.getByTestId('try-it-state')).toBeVisible({ timeout: 70_000 });
    return url;
  }

  /** Follows a deployed gateway live from the Flows toolbar, over the broker it offers first (the demo's). */
  async watch(gatewayId: string): Promise<void> {
    await this.page.getByTestId('try-it').click();
    await expect(this.page.getByTestId('try-it-broker')).toHaveValue(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    await this.page.getByTestId('watch-gateway-id').fill(gatewayId);
    await this.page.getByTestId('watch-gateway').click();
    await expect(this.page.getByTestId('live-watching')).toHaveText(`● Live · ${gatewayId}`, {
      timeout: 30_000,
    });
  }

  async stop(): Promise<void> {
    await this.page.getByTestId('try-it-stop').click();
    await expect(this.page.getByTestId('try-it')).toBeVisible();
  }

  /** The run count badge of a node on the canvas. */
  runs(nodeId: string): Locator {
    return this.page.locator(`.svelte-flow__node[data-id="${nodeId}"] [data-testid="node-runs"]`);
  }

  /** How many times a node ran, as its badge says (0 without a badge). */
  async count(nodeId: string): Promise<number> {
    const badge = this.runs(nodeId);
    return (await badge.count()) ? Number(await badge.textContent()) : 0;
  }

  value(nodeId: string): Locator {
    return this.page.locator(`.svelte-flow__node[data-id="${nodeId}"] [data-testid="node-value"]`);
  }

  /**
   * Starts recording which nodes glow: the glow lasts under a second, longer than a loaded
   * machine may take between two checks, so the page notes every node that lit up.
   */
  async recordGlow(): Promise<void> {
    await this.page.evaluate(() => {
      const lit = new Set<string>();
      (window as unknown as { __lit: Set<string> }).__lit = lit;
      new MutationObserver((changes) => {
        for (const change of changes) {
          const el = change.target as HTMLElement;
          if (!el.classList.contains('hot')) continue;
          const id = el.closest('.svelte-flow__node')?.getAttribute('data-id');
          if (id) lit.add(id);
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'] });
    });
  }

  /** Nodes that glowed since `recordGlow`. */
  async glowed(): Promise<string[]> {
    return this.page.evaluate(() => [...(window as unknown as { __lit: Set<string> }).__lit].sort());
  }

  /** The drawn node (its glow and error classes are on `.fg-node`). */
  box(nodeId: string): Locator {
    return this.page.locator(`.svelte-flow__node[data-id="${nodeId}"] .fg-node`);
  }

  edgeCount(edgeId: string): Locator {
    return this.page.locator(`[data-testid="edge-count"][data-edge="${edgeId}"]`);
  }

  async openDebug(): Promise<void> {
    await this.page.getByTestId('debug-tab').click();
    await expect(this.debug).toBeVisible();
  }

  get debugLines(): Locator {
    return this.debug.getByTestId('debug-line');
  }

  /** The steps of the opened run in the Traces view. */
  get steps(): Locator {
    return this.traces.getByTestId('trace-step');
  }
}
