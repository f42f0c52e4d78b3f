import type { Locator, Page } from '@playwright/test';

/** The Commission view: the wizard (pick devices → site profile → run → results) and the serial console. */
export class CommissionPage {
  readonly jobRows: Locator;
  readonly runSummary: Locator;
  readonly consoleOutput: Locator;

  constructor(readonly page: Page) {
    this.jobRows = page.getByTestId('job-row');
    this.runSummary = page.getByTestId('run-summary');
    this.consoleOutput = page.getByTestId('console-output');
  }

  async open(): Promise<void> {
    await this.page.locator('nav[aria-label="Main"] button[data-view="commission"]').click();
    await this.page.getByRole('heading', { name: 'Commission', level: 2 }).waitFor();
  }

  /** Adds a serial path the OS list does not show (a pty) and picks it with a name and room. */
  async pickSerialPath(path: string, name: string, room: string): Promise<void> {
    await this.page.getByTestId('extra-path').fill(path);
    await this.page.getByTestId('add-path').click();
    await this.page.locator('li', { hasText: path }).getByTestId('pick-port').check();
    const row = this.page.getByTestId('picked-device').filter({ hasText: path });
    await row.getByTestId('device-name').fill(name);
    await row.getByTestId('device-room').fill(room);
  }

  async probe(path: string): Promise<string> {
    const row = this.page.getByTestId('picked-device').filter({ hasText: path });
    await row.getByTestId('probe').click();
    return (await row.getByTestId('probe-result').textContent()) ?? '';
  }

  async fillProfile(p: { site: string; installer: string; ssid: string; password: string }): Promise<void> {
    await this.page.getByTestId('next-profile').click();
    await this.page.getByTestId('site-name').fill(p.site);
    await this.page.getByTestId('installer').fill(p.installer);
    await this.page.getByTestId('ssid').fill(p.ssid);
    await this.page.getByTestId('wifi-password').fill(p.password);
  }

  async start(): Promise<void> {
    await this.page.getByTestId('start-run').click();
  }

  job(path: string): Locator {
    return this.jobRows.filter({ hasText: path });
  }
}
