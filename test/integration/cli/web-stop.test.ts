/**
 * `fieldgraph web` owns its signals: Ctrl+C (SIGINT) or SIGTERM stops the server and disposes
 * the services, so the process exits even with the demo site's brokers and the broker
 * inspector running (nothing else would close them: the services watch no signals).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsClient, type WebSocketLike } from '../../../renderer/src/api/ws-client';
import { useCleanups } from '../../helpers/cleanups';

const cleanups = useCleanups();

const startWeb = async (dataDir: string) => {
  const child = spawn(process.execPath, ['bin/fieldgraph.js', 'web', '--no-open', '--port', '0'], {
    env: { ...process.env, FIELDGRAPH_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const address = await new Promise<URL>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /running at (http:\/\/\S+)/.exec(output);
      if (found) resolve(new URL(found[1]!));
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`fieldgraph web exited (${code}): ${output}`)));
  });
  return { child, exited, address };
};

describe('fieldgraph web stops on a signal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s, with the demo site and the inspector running, disposes them and exits 0',
    async (signal) => {
      const { child, exited, address } = await startWeb(cleanups.tempDir('fg-web-stop-'));
      const client = createWsClient({
        url: `ws://${address.host}/api?token=${address.searchParams.get('token')}`,
        createSocket: (url) => new WebSocket(url, { origin: address.origin }) as unknown as WebSocketLike,
      });
      cleanups.push(() => client.close());
      expect(await client.api.demo.start({})).toMatchObject({ ok: true });
      const inspecting = await client.api.inspector.start({});
      expect(inspecting).toMatchObject({ ok: true, value: { connected: true } });

      child.kill(signal);
      // A loaded build machine needs a while to close brokers and sockets; a process kept
      // alive by something not disposed never exits at all.
      const code = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r('still running'), 45_000)),
      ]);
      expect(code).toBe(0);
    },
    90_000,
  );
});
