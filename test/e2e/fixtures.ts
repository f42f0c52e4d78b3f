import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';

/** A running `fieldgraph web --no-open`, started exactly as a user would start it. */
export interface WebApp {
  /** The printed address, with its token. */
  readonly url: string;
  /** The origin, without the token. */
  readonly origin: string;
  readonly token: string;
  /** The per-user data folder this instance uses (a temp folder). */
  readonly dataDir: string;
  /** Everything the server printed so far. */
  output(): string;
}

/** Starts the real CLI and waits for the address line. */
export const startWebApp = async (
  env: Record<string, string> = {},
): Promise<WebApp & { process: ChildProcess; stop(): Promise<void> }> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-e2e-data-'));
  const child = spawn(process.execPath, ['bin/fieldgraph.js', 'web', '--no-open', '--port', '0'], {
    env: { ...process.env, FIELDGRAPH_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded two-core machine a cold start of the server takes over 15 s.
    const timer = setTimeout(() => reject(new Error(`fieldgraph web printed no address:\n${out}`)), 45_000);
    const check = () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`fieldgraph web exited with ${code}:\n${out}`)));
  });
  const parsed = new URL(url);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    dataDir,
    output: () => out,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** Saves a screenshot under test-results/screenshots/ (kept as a CI artifact; open and look). */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  const dir = join('test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};

/**
 * `webApp`: a fresh server per test; `page`: already signed in with the token (the server
 * traded it for its session cookie) and showing the app; page errors fail the test.
 */
export const test = base.extend<{ webApp: WebApp; pageErrors: string[] }>({
  // eslint-disable-next-line no-empty-pattern
  webApp: async ({}, use) => {
    const app = await startWebApp();
    try {
      await use(app);
    } finally {
      await app.stop();
    }
  },
  pageErrors: async ({ page }, use) => {
    const errors: string[] = [];
    // With where it was thrown (the bundle has source maps), so a failure in CI can be traced.
    page.on('pageerror', (error) =>
      errors.push([error.message, ...(error.stack ?? '').split('\n').slice(1, 6)].join('\n')),
    );
    await use(errors);
  },
  page: async ({ page, webApp }, use) => {
    await page.goto(webApp.url);
    await page.waitForSelector('nav[aria-label="Main"]');
    await use(page);
  },
});

export { expect } from '@playwright/test';
