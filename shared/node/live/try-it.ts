/**
 * Try-it mode's runtime: the open design, written to a scratch project folder, run by a real
 * `fieldgraph gateway --project` in a child process against the site broker (or the demo's).
 * A child process rather than a thread, so a flow that hangs or crashes the runtime never takes
 * the app with it, and stopping it is a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import type { Logger } from '../log';
import { packageRoot } from '../paths';

/** How to start `fieldgraph gateway`: the program and the arguments before `gateway`'s own. */
export interface GatewayCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The installed CLI: this program's Node (Electron's own, run as Node) and bin/fieldgraph.js.
 */
export const defaultGatewayCommand = (): GatewayCommand => ({
  command: process.execPath,
  args: [join(packageRoot, 'bin', 'fieldgraph.js'), 'gateway'],
});

/** The documents of the design to run; each is written as one file of the scratch project. */
export interface TryItDocuments {
  readonly flows: readonly unknown[];
  readonly roles: readonly unknown[];
  readonly site: unknown;
  readonly models?: readonly unknown[];
}

/** A try-it gateway while it runs. */
export interface TryItProcess {
  readonly gatewayId: string;
  readonly brokerUrl: string;
  /** Resolves when the process ended, with the last lines it wrote. */
  readonly exited: Promise<{ code: number | null; output: string }>;
  /** Stops it (SIGTERM, then SIGKILL after `graceMs`) and removes the scratch folder. */
  stop(graceMs?: number): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keeps the last `max` characters of what the child wrote, for the message when it fails. */
const tail = (max: number) => {
  let text = '';
  return {
    add: (chunk: Buffer) => {
      text = (text + chunk.toString('utf8')).slice(-max);
    },
    text: () => text,
  };
};

const ONLINE = /is online at/;

/**
 * Starts the design on a gateway runtime in a child process and resolves once it is online;
 * fails with `live.try_failed` (and what the gateway said) when it exits or stays silent.
 */
export const startTryItProcess = async (options: {
  readonly documents: TryItDocuments;
  readonly brokerUrl: string;
  /** Where the scratch folder goes (the app's data folder). */
  readonly workDir: string;
  /** Public keys (`ed25519:<hex>`) the gateway trusts to sign its RPC requests. */
  readonly trust?: readonly string[];
  readonly log: Logger;
  readonly command?: GatewayCommand;
  readonly startTimeoutMs?: number;
}): Promise<TryItProcess> => {
  const { documents, log } = options;
  if (!documents.flows.every(isObject) || !isObject(documents.site))
    throw new FieldgraphError('live.bad_design', 'Try it needs flow and site documents (JSON objects).');
  const gatewayId = `try-it-${randomBytes(3).toString('hex')}`;
  await mkdir(options.workDir, { recursive: true });
  const root = await mkdtemp(join(options.workDir, 'try-it-'));
  const remove = () => rm(root, { recursive: true, force: true }).catch(() => {});
  const project = join(root, 'project');
  // File names are positions, never ids from the design: nothing in a document names a path.
  const write = async (folder: string, docs: readonly unknown[]) => {
    await mkdir(join(project, folder), { recursive: true });
    await Promise.all(
      docs.map((doc, i) => writeFile(join(project, folder, `${i}.json`), JSON.stringify(doc))),
    );
  };
  try {
    await mkdir(project, { recursive: true });
    await writeFile(
      join(project, 'fieldgraph.json'),
      JSON.stringify({ schemaVersion: 1, name: 'Try it', roles: documents.roles }),
    );
    await write('flows', documents.flows);
    await write('sites', [{ ...documents.site, gateways: [{ id: gatewayId }] }]);
    await write('models', (documents.models ?? []).filter(isObject));
  } catch (error) {
    await remove();
    throw new FieldgraphError(
      'live.try_failed',
      `Try it could not write its scratch folder: ${String(error)}`,
    );
  }

  // Credentials go through the environment, never the command line other users can read.
  const url = new URL(options.brokerUrl);
  const env: Record<string, string | undefined> = {
    ...process.env,
    ELECTRON_RUN_AS_NODE: '1',
    FIELDGRAPH_LOG: 'warn',
    FIELDGRAPH_BROKER_USERNAME: decodeURIComponent(url.username) || undefined,
    FIELDGRAPH_BROKER_PASSWORD: decodeURIComponent(url.password) || undefined,
  };
  url.username = '';
  url.password = '';
  const brokerUrl = url.toString().replace(/\/$/, '');
  const command = options.command ?? defaultGatewayCommand();
  const child: ChildProcess = spawn(
    command.command,
    [
      ...command.args,
      '--id',
      gatewayId,
      '--broker',
      brokerUrl,
      '--data',
      join(root, 'gateway'),
      '--project',
      project,
      ...(options.trust ?? []).flatMap((key) => ['--trust', key]),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = tail(4000);
  child.stdout?.on('data', output.add);
  child.stderr?.on('data', output.add);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.once('error', (error) => {
      output.add(Buffer.from(`\n${String(error)}`));
      resolve({ code: -1, output: output.text() });
    });
    child.once('exit', (code) => resolve({ code, output: output.text() }));
  });
  void exited.then(remove);

  const stop = async (graceMs = 5_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await remove();
  };

  const online = await new Promise<boolean>((resolve) => {
    // A gateway starts in about a second; a machine busy with builds can take far longer, and a
    // child that dies says so at once (below), so waiting long costs only a hung start.
    const timer = setTimeout(() => resolve(false), options.startTimeoutMs ?? 60_000);
    const check = () => {
      if (!ONLINE.test(output.text())) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(true);
    };
    child.stdout?.on('data', check);
    void exited.then(() => (clearTimeout(timer), resolve(false)));
  });
  if (!online) {
    await stop(1_000);
    const said = output
      .text()
      .split('\n')
      .filter((l) => l.trim())
      .slice(-3)
      .join(' ');
    log.warn('try-it gateway did not start', { gatewayId, output: said });
    throw new FieldgraphError(
      'live.try_failed',
      `The try-it gateway did not start${said ? `: ${said}` : ' in time'}.`,
    );
  }
  log.info('try-it gateway online', { gatewayId, broker: brokerUrl });
  return { gatewayId, brokerUrl, exited, stop };
};
