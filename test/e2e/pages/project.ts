import type { Locator, Page } from '@playwright/test';

/** The New/Open project dialogs and the project bar on the start page. */
export class ProjectUi {
  readonly bar: Locator;
  readonly name: Locator;
  readonly status: Locator;
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.bar = page.getByTestId('project-bar');
    this.name = page.getByTestId('project-name');
    this.status = page.getByTestId('project-status');
    this.dialog = page.getByRole('dialog');
  }

  /** Creates a project through the New project dialog. */
  async create(name: string, folder: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New project' }).click();
    await this.dialog.getByLabel('Name').fill(name);
    await this.dialog.getByLabel(/^Folder/).fill(folder);
    await this.dialog.getByRole('button', { name: 'Create' }).click();
  }

  /** Opens a project by typing its folder into the Open project dialog. */
  async openByPath(folder: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Open project…' }).click();
    await this.dialog.getByLabel(/^Project folder/).fill(folder);
    await this.dialog.getByRole('button', { name: 'Open', exact: true }).click();
  }

  async rename(name: string): Promise<void> {
    await this.bar.getByRole('button', { name: 'Rename' }).click();
    await this.bar.getByLabel('Project name').fill(name);
    await this.bar.getByLabel('Project name').press('Enter');
  }

  async save(): Promise<void> {
    await this.bar.getByRole('button', { name: 'Save' }).click();
  }

  async close(): Promise<void> {
    await this.bar.getByRole('button', { name: 'Close' }).click();
  }

  /** The entry for `name` in the recent-projects list. */
  recent(name: string): Locator {
    return this.page
      .getByRole('region', { name: 'Recent projects' })
      .getByRole('button', { name: new RegExp(name) });
  }
}
