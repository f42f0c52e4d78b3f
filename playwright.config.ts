import { defineConfig } from '@playwright/test';

/** E2E tests drive the web app (`fieldgraph web`) in Debian's Chromium; never a downloaded browser. */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  // Each test is a whole journey; on a loaded two-core machine (CI) the longest take over a minute.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-report.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.FIELDGRAPH_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
