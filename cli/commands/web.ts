import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDispatcher } from '../../shared/core/api/dispatch';
import { createEventHub } from '../../shared/core/api/events';
import { FieldgraphError } from '../../shared/core/errors';
import { createLogger } from '../../shared/node/log';
import { defaultDataDir, rendererDir } from '../../shared/node/paths';
import { createServices } from '../../shared/node/services';
import { LOOPBACK_HOSTS, startWebServer } from '../../shared/node/web/server';
import { UsageError, type Command } from '../command';

const openBrowser = (url: string): void => {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.error(`Could not open a browser; open the address above yourself.`));
    child.unref();
  } catch {
    console.error(`Could not open a browser; open the address above yourself.`);
  }
};

/** `fieldgraph web`: the app in a browser, served from 127.0.0.1. */
export const webCommand: Command = {
  name: 'web',
  summary: 'Serve the app to your browser on 127.0.0.1',
  usage: `Usage: fieldgraph web [--port N] [--host 127.0.0.1] [--no-open]

Serves the Fieldgraph user interface and its API on this computer only, prints the address
with a start token (valid until the server stops; its first use sets a session cookie), and opens your default browser.

  --port N     port to listen on (default: any free port)
  --host H     loopback address to listen on: ${LOOPBACK_HOSTS.join(', ')} (default 127.0.0.1)
  --no-open    do not open a browser`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'no-open': { type: 'boolean', default: false },
      },
      strict: true,
    });
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        `--port must be a whole number from 0 to 65535, not ${JSON.stringify(values.port)}.`,
      );
    }
    if (!existsSync(join(rendererDir, 'index.html'))) {
      console.error(
        `The user interface is not built (${rendererDir} is missing). Run \`npm install\` or \`npm run build\` in the fieldgraph folder first.`,
      );
      return 1;
    }
    const log = createLogger('web');
    const hub = createEventHub((error) => log.error('event listener failed', { error: String(error) }));
    const services = createServices({ runtime: 'web', dataDir: defaultDataDir(), hub, log });
    const dispatch = createDispatcher(services, {
      onInternalError: (method, error) =>
        log.error('service failed', {
          method,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    });
    let server;
    try {
      server = await startWebServer({ dispatch, hub, log, rendererDir, host: values.host, port });
    } catch (error) {
      await services.dispose();
      if (error instanceof FieldgraphError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
    console.log(`Fieldgraph is running at ${server.url}`);
    console.log('Keep this address private: the token in it grants access to the app. Press Ctrl+C to stop.');
    if (!values['no-open']) openBrowser(server.url);
    // The program owns its signals: on Ctrl+C or SIGTERM it stops serving, then stops what the
    // services started (discovery sockets, the demo's brokers, a Try it gateway, connections).
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await services.dispose();
    return 0;
  },
};
