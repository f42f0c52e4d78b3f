import type { Locator, Page } from '@playwright/test';

/** The start page: what a user sees first. */
export class StartPage {
  readonly newProject: Locator;
  readonly openProject: Locator;
  readonly openDemo: Locator;
  readonly recentTitle: Locator;
  readonly aboutButton: Locator;

  constructor(readonly page: Page) {
    this.newProject = page.getByRole('button', { name: 'New project' });
    this.openProject = page.getByRole('button', { name: 'Open project…' });
    this.openDemo = page.getByRole('button', { name: 'Open demo site' });
    this.recentTitle = page.getByRole('heading', { name: 'Recent projects' });
    this.aboutButton = page.getByTestId('about-button');
  }

  /** Opens the About panel and returns the version it shows. */
  async aboutVersion(): Promise<string> {
    await this.aboutButton.click();
    const dialog = this.page.getByRole('dialog', { name: 'About Fieldgraph' });
    return (await dialog.getByTestId('about-version').textContent()) ?? '';
  }
}
