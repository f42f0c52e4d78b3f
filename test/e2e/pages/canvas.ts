import { expect, type Locator, type Page } from '@playwright/test';

/** The Flows view: tabs, palette, canvas, inspector, roles and problems. */
export class CanvasPage {
  readonly view: Locator;
  readonly canvas: Locator;
  readonly inspector: Locator;
  readonly problems: Locator;
  readonly status: Locator;
  readonly nodes: Locator;
  readonly edges: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('flows-view');
    this.canvas = page.getByTestId('flow-canvas');
    this.inspector = page.getByTestId('inspector');
    this.problems = page.getByTestId('problems-panel');
    this.status = page.getByTestId('status');
    this.nodes = page.locator('.svelte-flow__node-flowNode');
    this.edges = page.locator('.svelte-flow__edge');
  }

  async open(): Promise<void> {
    await this.page.locator('nav[aria-label="Main"] [data-view="flows"]').click();
    await expect(this.view).toBeVisible();
    await expect(this.canvas.locator('.svelte-flow')).toBeVisible();
  }

  /** Adds a role in the Roles tab and goes back to the inspector. */
  async addRole(name: string, capability: string): Promise<void> {
    await this.page.getByTestId('roles-tab').click();
    const panel = this.page.getByTestId('roles-panel');
    await panel.getByLabel('New role').fill(name);
    await panel.getByLabel('Capability').selectOption(capability);
    await panel.getByRole('button', { name: 'Add role' }).click();
    await expect(panel.getByText(name, { exact: true })).toBeVisible();
    await this.page.getByRole('tab', { name: 'Inspector' }).click();
  }

  /** The Roles tab: the site picker, each role's device and the design's readiness for the site. */
  async openRoles(): Promise<Locator> {
    await this.page.getByTestId('roles-tab').click();
    const panel = this.page.getByTestId('roles-panel');
    await expect(panel).toBeVisible();
    return panel;
  }

  get readiness(): Locator {
    return this.page.getByTestId('readiness');
  }

  get siteSelect(): Locator {
    return this.page.getByTestId('roles-panel').getByLabel('Site', { exact: true });
  }

  /** The device picker of a role in the Roles tab. */
  devicePicker(roleId: string): Locator {
    return this.page.locator(`[data-testid="roles-panel"] [data-role="${roleId}"] select`);
  }

  /** Why the bound device fills (or cannot fill) a role, as the Roles tab says it. */
  bindingReason(roleId: string): Locator {
    return this.page.locator(
      `[data-testid="roles-panel"] [data-role="${roleId}"] [data-testid="binding-reason"]`,
    );
  }

  /** “Devices on this site” in the Roles tab. */
  get siteDevices(): Locator {
    return this.page.getByTestId('site-devices');
  }

  /** One device of the site in the Roles tab, expanded to show its settings and login. */
  async expandDevice(deviceId: string): Promise<Locator> {
    const row = this.siteDevices.locator(`li[data-device="${deviceId}"]`);
    const head = row.locator('button.head');
    if ((await head.getAttribute('aria-expanded')) !== 'true') await head.click();
    await expect(row.getByTestId('device-form')).toBeVisible();
    return row;
  }

  /** The input of a setting (model variable) inside `scope`: a device's form or the readiness box. */
  setting(scope: Locator, name: string): Locator {
    return scope.locator(`[data-setting="${name}"] input`);
  }

  /** Creates a site with "New site…", answering its name in the app's dialog. */
  async newSite(name: string): Promise<void> {
    await this.page.getByTestId('roles-panel').getByRole('button', { name: 'New site…' }).click();
    await this.answer(name);
  }

  /** Answers the app's text question (a name, a label) and confirms it. */
  async answer(text: string): Promise<void> {
    const dialog = this.page.getByTestId('ask-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('textbox').fill(text);
    await dialog.getByRole('textbox').press('Enter');
    await expect(dialog).toBeHidden();
  }

  /** Drags a palette role onto the canvas at (x, y) and picks one of the offers it shows. */
  async dropRole(roleId: string, offer: string, at: { x: number; y: number }): Promise<void> {
    await this.page
      .locator(`[data-testid="palette"] [data-role="${roleId}"]`)
      .dragTo(this.canvas, { targetPosition: at });
    const dialog = this.page.getByTestId('quick-add');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: offer }).click();
    await expect(dialog).toBeHidden();
  }

  /** Drags a discovered device from the palette onto the canvas and picks one of its offers. */
  async dropDevice(deviceId: string, offer: string | RegExp, at: { x: number; y: number }): Promise<void> {
    const source = this.page.locator(`[data-testid="palette"] [data-device="${deviceId}"]`);
    const name = (await source.locator('.label').textContent())!.trim();
    const dialog = this.page.getByTestId('quick-add');
    // The palette lists devices by name as the demo announces them; a device arriving between
    // finding the row and pressing on it moves the rows under the pointer, and the drag picks up
    // its neighbour (as a person's would), or starts on a row that cannot be dragged and drops
    // nothing. The dialog names the device: drag again if no dialog came or it is not ours.
    for (let attempt = 1; ; attempt++) {
      await this.settledPalette();
      await source.dragTo(this.canvas, { targetPosition: at });
      const opened = await dialog
        .waitFor({ state: 'visible', timeout: attempt === 3 ? 10_000 : 5_000 })
        .then(() => true)
        .catch(() => false);
      if (!opened && attempt < 3) continue;
      await expect(dialog).toBeVisible();
      if ((await dialog.getAttribute('aria-label')) === `Add for ${name}…` || attempt === 3) break;
      await this.page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
    await expect(dialog).toHaveAttribute('aria-label', `Add for ${name}…`);
    await dialog.getByRole('button', { name: offer }).first().click();
    await expect(dialog).toBeHidden();
  }

  /** Waits until the palette's device list stays the same for half a second. */
  async settledPalette(): Promise<void> {
    const listed = () =>
      this.page
        .locator('[data-testid="palette"] [data-device]')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-device')).join(' '));
    let before = await listed();
    await expect
      .poll(
        async () => {
          const now = await listed();
          const same = now === before;
          before = now;
          return same;
        },
        { intervals: [500], timeout: 30_000 },
      )
      .toBe(true);
  }

  /** Ctrl+K with the pointer at (x, y) on the canvas, then searches and picks the first match. */
  async quickAdd(at: { x: number; y: number }, search: string): Promise<void> {
    await this.leaveFields();
    const box = (await this.canvas.boundingBox())!;
    await this.page.mouse.move(box.x + at.x, box.y + at.y);
    await this.page.keyboard.press('Control+k');
    const dialog = this.page.getByTestId('quick-add');
    await expect(dialog).toBeVisible();
    await this.page.keyboard.type(search);
    await this.page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
  }

  /** Moves keyboard focus off inspector fields, where editing keys belong to the field. */
  async leaveFields(): Promise<void> {
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }

  node(id: string): Locator {
    return this.page.locator(`.svelte-flow__node[data-id="${id}"]`);
  }

  /** Ids of every node of the open flow, in DOM order. */
  async nodeIds(): Promise<string[]> {
    return this.nodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
  }

  handle(nodeId: string, port: string, type: 'source' | 'target'): Locator {
    return this.node(nodeId).locator(`.svelte-flow__handle.${type}[data-handleid="${port}"]`);
  }

  /** Draws a wire by dragging from an output handle to an input handle. */
  async connect(from: [string, string], to: [string, string]): Promise<void> {
    const a = (await this.handle(from[0], from[1], 'source').boundingBox())!;
    const b = (await this.handle(to[0], to[1], 'target').boundingBox())!;
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  /**
   * Drags a wire from an output to an input and reads the refusal tooltip shown while the
   * pointer is over the input (null when none), then lets go.
   */
  async tryConnect(from: [string, string], to: [string, string]): Promise<string | null> {
    const a = (await this.handle(from[0], from[1], 'source').boundingBox())!;
    const b = (await this.handle(to[0], to[1], 'target').boundingBox())!;
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    const tooltip = this.page.getByTestId('connection-refused');
    const text = (await tooltip.count()) > 0 ? await tooltip.textContent() : null;
    await this.page.mouse.up();
    return text;
  }

  /** Clicks a node (selects only it). */
  async select(id: string): Promise<void> {
    await this.node(id).locator('.head').click();
    await expect(this.node(id)).toHaveClass(/selected/);
  }

  field(key: string): Locator {
    return this.inspector.locator(`[data-field="${key}"]`).locator('textarea, input, select').first();
  }

  fieldError(key: string): Locator {
    return this.inspector.locator(`[data-field="${key}"] [data-testid="field-error"]`);
  }

  async press(keys: string, times = 1): Promise<void> {
    for (let i = 0; i < times; i++) await this.page.keyboard.press(keys);
  }

  /** Positions of every node, by id, read from the canvas transform. */
  async positions(): Promise<Record<string, string>> {
    return Object.fromEntries(
      await this.nodes.evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-id') ?? '', (e as HTMLElement).style.transform]),
      ),
    );
  }

  /** Pastes (Ctrl+V) with the pointer at (x, y) on the canvas. */
  async pasteAt(at: { x: number; y: number }): Promise<void> {
    const box = (await this.canvas.boundingBox())!;
    await this.page.mouse.move(box.x + at.x, box.y + at.y);
    await this.page.keyboard.press('Control+v');
  }

  /** Screen boxes of every node, by id. */
  async boxes(): Promise<Record<string, { x: number; y: number; width: number; height: number }>> {
    const ids = await this.nodeIds();
    const out: Record<string, { x: number; y: number; width: number; height: number }> = {};
    for (const id of ids) out[id] = (await this.node(id).boundingBox())!;
    return out;
  }
}
