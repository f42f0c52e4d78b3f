import type { Locator, Page } from '@playwright/test';

/** The Broker view (MQTT inspector): connection, topic tree, topic details and the publish form. */
export class InspectorPage {
  readonly status: Locator;
  readonly tree: Locator;
  readonly detail: Locator;
  readonly history: Locator;
  readonly plot: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('inspector-status');
    this.tree = page.getByTestId('topic-tree');
    this.detail = page.getByTestId('topic-detail');
    this.history = page.getByTestId('topic-history');
    this.plot = page.getByTestId('inspector-plot');
  }

  async open(): Promise<void> {
    await this.page.locator('nav[aria-label="Main"] button[data-view="inspector"]').click();
    await this.page.getByRole('heading', { name: 'Broker', level: 1 }).waitFor();
  }

  /** Connects to `url` (or, with none, to the broker discovery listens to). */
  async inspect(url = ''): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Broker to inspect' }).fill(url);
    await this.page.getByRole('button', { name: 'Inspect' }).click();
  }

  /** The tree row of a topic or folder, by its full path. */
  row(path: string): Locator {
    return this.tree.locator(`[data-topic="${path}"]`);
  }

  /** Expands each folder on the way to `topic` and picks it. */
  async pick(topic: string): Promise<void> {
    const levels = topic.split('/');
    for (let i = 1; i < levels.length; i++) {
      const folder = levels.slice(0, i).join('/');
      const row = this.row(folder);
      if ((await row.getAttribute('aria-expanded')) !== 'true')
        await row.getByRole('button', { name: `Expand ${folder}` }).click();
    }
    await this.row(topic).locator('button.name').click();
  }

  async publish(
    topic: string,
    payload: string,
    options: { qos?: 0 | 1 | 2; retain?: boolean } = {},
  ): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Topic to publish to' }).fill(topic);
    await this.page.getByRole('textbox', { name: 'Payload' }).fill(payload);
    await this.page.getByRole('combobox', { name: 'QoS' }).selectOption(String(options.qos ?? 0));
    await this.page.getByRole('checkbox', { name: 'Retain' }).setChecked(options.retain ?? false);
    await this.page.getByRole('button', { name: 'Publish', exact: true }).click();
  }
}
