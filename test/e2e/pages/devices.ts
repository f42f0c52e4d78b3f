import type { Locator, Page } from '@playwright/test';

/** The Devices view: discovery controls, the live list and the details drawer. */
export class DevicesPage {
  readonly rows: Locator;
  readonly drawer: Locator;
  readonly status: Locator;
  readonly search: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('device-row');
    this.drawer = page.getByTestId('device-drawer');
    this.status = page.getByTestId('discovery-status');
    this.search = page.getByRole('searchbox', { name: 'Search devices' });
  }

  async open(): Promise<void> {
    await this.page.locator('nav[aria-label="Main"] button[data-view="devices"]').click();
    await this.page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
  }

  /** Starts discovery on one broker only: no mDNS (never multicast from a test) and no serial scan. */
  async discoverBrokerOnly(url: string): Promise<void> {
    await this.page.getByRole('checkbox', { name: 'Network (mDNS)' }).uncheck();
    await this.page.getByRole('checkbox', { name: 'USB serial' }).uncheck();
    await this.page.getByRole('textbox', { name: 'Site broker URL' }).fill(url);
    await this.page.getByRole('button', { name: 'Start discovery' }).click();
  }

  row(name: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('device-name').getByText(name, { exact: true }) });
  }
}
