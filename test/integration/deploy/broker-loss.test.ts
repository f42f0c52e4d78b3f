/**
 * Broker loss during a deploy: the sender reports the loss, sends again after the broker is
 * back, and the gateway ends with the package installed exactly once — never half-applied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mqttGatewayTarget } from '../../../shared/node/deploy/mqtt';
import type { DeployProgress } from '../../../shared/node/deploy/target';
import { freePort } from '../../helpers/mosquitto';
import { makePackage } from '../../helpers/packages';
import { startTestGateway, type TestGateway } from './harness';

const dir = mkdtempSync(join(tmpdir(), 'fg-loss-'));
let broker: ChildProcess | undefined;
let gateway: TestGateway | undefined;

const listening = async (port: number) => {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`mosquitto did not come up on ${port}`);
};

// The helper picks a new port each time; this broker must come back on the same one.
const startBroker = async (port: number): Promise<ChildProcess> => {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\n`,
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  await listening(port);
  return child;
};

const kill = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

afterEach(async () => {
  await gateway?.stop();
  if (broker) await kill(broker);
  rmSync(dir, { recursive: true, force: true });
});

describe('broker loss during a deploy', () => {
  it('is reported, retried after the reconnect, and applied exactly once', async () => {
    const port = await freePort();
    broker = await startBroker(port);
    const url = `mqtt://127.0.0.1:${port}`;
    let release: () => void = () => {};
    const started = new Promise<void>((resolve) => (release = resolve));
    // The runtime start waits until the broker has been killed and restarted.
    gateway = await startTestGateway({
      id: 'gw-loss',
      brokerUrl: url,
      runtime: { start: () => started, healthCheck: async () => true },
    });
    const steps: DeployProgress[] = [];
    let bounced = false;
    const outcomePromise = mqttGatewayTarget({ url }, 'gw-loss').deliver(
      makePackage({ version: 2, target: { kind: 'gateway', id: 'gw-loss' } }),
      {
        timeoutMs: 30_000,
        onProgress: (p) => {
          steps.push(p);
          if (p.step === 'switched' && !bounced) {
            bounced = true;
            void (async () => {
              await kill(broker!);
              await new Promise((r) => setTimeout(r, 800));
              broker = await startBroker(port);
              release();
            })();
          }
        },
      },
    );
    const outcome = await outcomePromise;
    expect(bounced).toBe(true);
    expect(steps.map((s) => s.step)).toContain('broker_lost');
    expect(steps.map((s) => s.step)).toContain('retrying');
    expect(outcome.ok).toBe(true);
    expect(['committed', 'unchanged']).toContain(outcome.gateways[0]!.step);
    const state = gateway.installer.state();
    expect(state.committed).toBe(2);
    expect(state.history.filter((h) => h.version === 2 && h.outcome === 'committed')).toHaveLength(1);
    expect(gateway.installer.store.reverify(2)).toEqual([]);
  });
});
