/**
 * The USB path end to end: the deploy target writes the package to a folder, the gateway that
 * watches that folder installs it once the copy is complete, and ignores it afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { usbTarget } from '../../../shared/node/deploy/usb';
import { makePackage } from '../../helpers/packages';
import { startTestGateway, type TestGateway } from './harness';

let gateway: TestGateway | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await gateway?.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('USB stick to a gateway watching a folder', () => {
  it('installs a package written to the watched folder, once, and refuses a bad one there', async () => {
    const stick = mkdtempSync(join(tmpdir(), 'fg-stick-'));
    dirs.push(stick);
    gateway = await startTestGateway({ id: 'gw-usb', watchDir: stick });
    const outcome = await usbTarget(stick).deliver(
      makePackage({ version: 2, target: { kind: 'gateway', id: 'gw-usb' } }),
    );
    expect(outcome.ok).toBe(true);
    await expect.poll(() => gateway!.installer.state().committed, { timeout: 10_000 }).toBe(2);
    expect(gateway.installer.state().history.filter((h) => h.outcome === 'committed')).toHaveLength(1);

    // A package for another gateway left on the stick is refused and changes nothing.
    writeFileSync(
      join(stick, 'other.fgpkg'),
      makePackage({ version: 3, target: { kind: 'gateway', id: 'gw-other' } }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(gateway.installer.state()).toMatchObject({ committed: 2, highest: 2 });
    expect(gateway.installer.store.reverify(2)).toEqual([]);
  });
});
