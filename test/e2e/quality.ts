import AxeBuilder from '@axe-core/playwright';
import { expect, type ConsoleMessage, type Page } from '@playwright/test';

/** WCAG 2.1 A and AA, the level the app is held to. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core over what the page shows now; returns every serious or critical violation,
 * naming the rule, why it matters and the elements that break it ('' when there is none).
 */
export const axeReport = async (page: Page): Promise<string> => {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 6)
          .map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ')}`)
          .join('\n')}`,
    )
    .join('\n');
  return report;
};

/** Fails on any serious or critical axe violation on the page as it is now. */
export const expectAccessible = async (page: Page, where: string): Promise<void> => {
  expect(await axeReport(page), `${where}: axe found serious or critical problems`).toBe('');
};

/**
 * Collects what the browser console says at warning level or above, and every failed request
 * (a 404 favicon shows here). Read `problems` at the end of a test: it must be empty.
 */
export const watchConsole = (page: Page): { problems: string[] } => {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  // With where it was thrown (the bundle has source maps), so a failure in CI can be traced.
  page.on('pageerror', (error) =>
    problems.push(
      [`page error: ${error.message}`, ...(error.stack ?? '').split('\n').slice(1, 8)].join('\n'),
    ),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  return { problems };
};
