import type { Command } from '../command';
import { commissionCommand } from './commission';
import { deployCommand } from './deploy';
import { discoverCommand } from './discover';
import { gatewayCommand } from './gateway';
import { gatewaysCommand } from './gateways';
import { keysCommand } from './keys';
import { libraryCommand } from './library';
import { noderedCommand } from './nodered';
import { packCommand } from './pack';
import { simCommand } from './sim';
import { tdCommand } from './td';
import { tracesCommand } from './traces';
import { validateCommand } from './validate';
import { verifyCommand } from './verify';
import { webCommand } from './web';

/** Every subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: readonly Command[] = [
  webCommand,
  gatewayCommand,
  gatewaysCommand,
  tracesCommand,
  keysCommand,
  packCommand,
  verifyCommand,
  deployCommand,
  discoverCommand,
  simCommand,
  commissionCommand,
  libraryCommand,
  tdCommand,
  noderedCommand,
  validateCommand,
];
