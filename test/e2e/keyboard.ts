import type { Locator, Page } from '@playwright/test';

/**
 * Keyboard-only driving: focus moves with Tab (and Shift+Tab) until `target` has it, as a person
 * without a mouse would move; a target Tab never reaches fails the test (it is not reachable).
 */
export const tabTo = async (page: Page, target: Locator, max = 250): Promise<void> => {
  await target.waitFor();
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(target)} in ${max} presses`);
};

/** Tabs to `target` and presses `key` there (Enter by default; Space for checkboxes and radios). */
export const pressOn = async (page: Page, target: Locator, key = 'Enter'): Promise<void> => {
  await tabTo(page, target);
  await page.keyboard.press(key);
};

/** Tabs to a field and types into it (select-all first, as typing over a field does). */
export const typeInto = async (page: Page, target: Locator, text: string): Promise<void> => {
  await tabTo(page, target);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
};

/** Tabs to a select and chooses the option whose label contains `label`, with the arrow keys. */
export const chooseOption = async (page: Page, select: Locator, label: string): Promise<void> => {
  await tabTo(page, select);
  const labels = await select.locator('option').allTextContents();
  const wanted = labels.findIndex((l) => l.includes(label));
  if (wanted < 0) throw new Error(`No option "${label}" in ${labels.join(' | ')}`);
  const current = await select.evaluate((el) => (el as HTMLSelectElement).selectedIndex);
  const key = wanted > current ? 'ArrowDown' : 'ArrowUp';
  for (let i = 0; i < Math.abs(wanted - current); i++) await page.keyboard.press(key);
};
