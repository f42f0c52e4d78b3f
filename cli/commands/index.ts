import type { Command } from '../command';
import { commissionCommand } from './commission';
import { discoverCommand } from './discover';
import { gatewayCommand } from './gateway';
import { simCommand } from './sim';
import { webCommand } from './web';

/** Every subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: readonly Command[] = [webCommand, gatewayCommand, discoverCommand, simCommand, commissionCommand];
