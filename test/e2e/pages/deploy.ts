import { expect, type Locator, type Page } from '@playwright/test';

/** The Deploy view: pick a site and gateways, preview, deploy, watch progress, roll back. */
export class DeployPage {
  readonly view: Locator;
  readonly key: Locator;
  readonly project: Locator;
  readonly site: Locator;
  readonly broker: Locator;
  readonly http: Locator;
  readonly previews: Locator;
  readonly result: Locator;
  readonly history: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('deploy-view');
    this.key = page.getByTestId('installer-key');
    this.project = page.getByTestId('deploy-project');
    this.site = page.getByTestId('deploy-site');
    this.broker = page.getByTestId('deploy-broker');
    this.http = page.getByTestId('deploy-http');
    this.previews = page.getByTestId('deploy-previews');
    this.result = page.getByTestId('deploy-result');
    this.history = page.getByTestId('deploy-history');
  }

  async open(): Promise<void> {
    await this.page.locator('nav[aria-label="Main"] [data-view="deploy"]').click();
    await expect(this.view).toBeVisible();
  }

  /** The fingerprint the view shows for the installer key. */
  async fingerprint(): Promise<string> {
    const code = this.view.getByTestId('installer-fingerprint');
    await expect(code).toBeVisible();
    return (await code.textContent()) ?? '';
  }

  /** The installer's public key as the view offers it for `fieldgraph gateway --trust`. */
  async publicKey(): Promise<string> {
    await this.key.getByText('Public key').click();
    return ((await this.view.getByTestId('installer-public-key').textContent()) ?? '').trim();
  }

  async findGateways(brokerUrl: string): Promise<void> {
    await this.broker.fill(brokerUrl);
    await this.view.getByTestId('deploy-find').click();
    await expect(this.view.getByTestId('deploy-gateways')).toBeVisible();
  }

  /** Lists gateways at typed HTTP addresses (and by mDNS), with no broker. */
  async findOverHttp(url: string): Promise<void> {
    await this.broker.fill('');
    await this.http.fill(url);
    await this.view.getByTestId('deploy-find').click();
    await expect(this.view.getByTestId('deploy-gateways')).toBeVisible();
  }

  /** Types a gateway's HTTP deploy token into its field and stores it in the secret store. */
  async storeToken(id: string, token: string): Promise<void> {
    const field = this.view.getByTestId(`token-${id}`);
    await field.locator('input[type="password"]').fill(token);
    await field.getByRole('button', { name: 'Store' }).click();
    await expect(field).toContainText('token stored');
  }

  /** Opens the token field again to store a different token. */
  async replaceToken(id: string, token: string): Promise<void> {
    await this.view.getByTestId(`token-${id}`).getByRole('button', { name: 'Replace' }).click();
    await this.storeToken(id, token);
  }

  gateway(id: string): Locator {
    return this.view.getByTestId(`gateway-${id}`);
  }

  async choose(id: string): Promise<void> {
    await this.gateway(id).getByRole('checkbox').check();
  }

  async preview(): Promise<void> {
    await this.view.getByTestId('deploy-preview').click();
    await expect(this.previews).toBeVisible();
  }

  async deploy(): Promise<void> {
    await this.view.getByTestId('deploy-run').click();
    await expect(this.result).toBeVisible({ timeout: 30_000 });
  }

  /** What the row says about the gateway's identity against the pinned one. */
  identity(id: string): Locator {
    return this.gateway(id).getByTestId('identity');
  }

  async pair(id: string): Promise<void> {
    await this.gateway(id).getByRole('button', { name: 'Pair', exact: true }).click();
  }

  /** Rolls a gateway back, confirming in the app's dialog (a rollback changes what the site runs). */
  async rollback(id: string): Promise<void> {
    await this.gateway(id)
      .getByRole('button', { name: /Roll back/ })
      .click();
    const dialog = this.page.getByTestId('ask-dialog');
    await expect(dialog).toContainText(id);
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await expect(dialog).toBeHidden();
  }
}
