import type { Locator, Page } from '@playwright/test';

/** A device's page: live state and controls, availability, model and raw data. */
export class DevicePage {
  readonly root: Locator;
  readonly name: Locator;
  readonly state: Locator;
  readonly lastSeen: Locator;
  readonly model: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('device-page');
    this.name = page.getByTestId('device-page-name');
    this.state = page.getByTestId('device-page-state');
    this.lastSeen = page.getByTestId('device-page-last-seen');
    this.model = page.getByTestId('device-page-model');
  }

  /** The card of one capability (`switch@1`). */
  feature(capability: string): Locator {
    return this.root.locator(`[data-testid="feature"][data-capability="${capability}"]`);
  }

  /** The shown value of a property within a capability's card. */
  value(capability: string, property: string): Locator {
    return this.feature(capability).locator(
      `[data-testid="property"][data-name="${property}"] [data-testid="value"]`,
    );
  }
}
