import { expect, type Locator, type Page } from '@playwright/test';

/** The Library view: searchable capabilities and device models with their details. */
export class LibraryPage {
  readonly view: Locator;
  readonly search: Locator;
  readonly count: Locator;
  readonly detail: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('library-view');
    this.search = page.getByLabel('Search the library');
    this.count = page.getByTestId('library-count');
    this.detail = page.getByTestId('library-detail');
  }

  async open(): Promise<void> {
    await this.page.locator('nav[aria-label="Main"] [data-view="library"]').click();
    await expect(this.view).toBeVisible();
    await expect(this.entry('switch@1')).toBeVisible();
  }

  entry(id: string): Locator {
    return this.view.locator(`[data-entry="${id}"]`);
  }

  /** Ids of the listed entries, in order. */
  async listedIds(): Promise<string[]> {
    return this.view
      .locator('[data-entry]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-entry') ?? ''));
  }

  async show(kind: 'All' | 'Capabilities' | 'Device models'): Promise<void> {
    await this.view.getByRole('button', { name: kind, exact: true }).click();
  }
}
