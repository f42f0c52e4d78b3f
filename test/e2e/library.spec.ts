import { readdirSync } from 'node:fs';
import { expect, screenshot, test } from './fixtures';
import { LibraryPage } from './pages/library';

// The built-in library as shipped: every document in it is listed, whatever is added later.
const documents = (folder: string) =>
  readdirSync(`resources/library/${folder}`).filter((f) => f.endsWith('.json')).length;
const capabilities = documents('capabilities');
const total = capabilities + documents('models');

test('the library lists, searches and explains capabilities and device models', async ({
  page,
  pageErrors,
}) => {
  const library = new LibraryPage(page);
  await library.open();
  await expect(library.count).toHaveText(`${total} of ${total}`);

  await library.search.fill('shelly');
  expect(await library.listedIds()).toEqual([
    'discovered-device',
    'shelly-gen1',
    'shelly-gen2',
    'shelly-plus-1',
    'shelly-plus-1pm',
  ]);
  await library.entry('shelly-plus-1pm').click();
  await expect(library.detail.getByRole('heading', { name: 'Shelly Plus 1PM' })).toBeVisible();
  await expect(library.detail.locator('[data-implementation="switch"]')).toContainText('RPC Switch.Set');
  await expect(library.detail.locator('[data-implementation="switch"]')).toContainText(
    'MQTT {prefix}/events/rpc → params.switch:{channel}.output',
  );
  await screenshot(page, 'library-model');
  await library.detail.getByRole('button', { name: 'Show Thing Description' }).click();
  await expect(library.detail.getByTestId('thing-description')).toContainText(
    '"mqv:topic": "{{prefix}}/rpc"',
  );
  const download = page.waitForEvent('download');
  await library.detail.getByRole('button', { name: 'Download .td.json' }).click();
  expect((await download).suggestedFilename()).toBe('shelly-plus-1pm.td.json');

  // Follow a capability link from the model to the capability, and see who implements it.
  await library.detail.getByRole('button', { name: 'power-meter@1' }).click();
  await expect(library.detail.getByRole('heading', { name: 'Power meter' })).toBeVisible();
  await expect(library.detail.getByRole('cell', { name: /Active power/ })).toBeVisible();
  await expect(library.detail.getByRole('button', { name: 'shelly-plus-1pm' })).toBeVisible();

  await library.search.fill('');
  await library.show('Capabilities');
  await expect(library.count).toHaveText(`${capabilities} of ${total}`);
  await library.entry('color-light@1').click();
  await expect(library.detail).toContainText('includes dimmer@1, switch@1');
  await expect(library.detail.getByRole('cell', { name: /Brightness/ })).toBeVisible();
  await screenshot(page, 'library-capability');

  await library.search.fill('no such thing');
  await expect(library.view.getByText('Nothing matches')).toBeVisible();
  expect(pageErrors).toEqual([]);
});
