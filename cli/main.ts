import { appVersion } from '../shared/node/paths';
import { UsageError } from './command';
import { commands } from './commands';

// Help names every command, so it loads them all; running one loads only that one.
const help = async (): Promise<string> =>
  [
    `fieldgraph ${appVersion} — discover, commission, design and deploy IoT systems on site, offline.`,
    '',
    'Usage: fieldgraph <command> [options]   (fieldgraph <command> --help for its options)',
    '',
    'Commands:',
    ...(await Promise.all(commands.map((c) => c.load()))).map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Options:',
    '  --version    print the version',
    '  --help       print this help',
  ].join('\n');

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export const main = async (argv: string[]): Promise<number> => {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    console.log(await help());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(appVersion);
    return 0;
  }
  const entry = commands.find((c) => c.name === first);
  if (!entry) {
    console.error(`Unknown command "${first}".\n\n${await help()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // parseArgs throws TypeErrors with codes ERR_PARSE_ARGS_*: they are usage mistakes too.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    throw error;
  }
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`fieldgraph: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.FIELDGRAPH_DEBUG) console.error(error);
    process.exitCode = 1;
  },
);
