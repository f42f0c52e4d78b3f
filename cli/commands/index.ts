import type { Command } from '../command';
import { gatewayCommand } from './gateway';
import { webCommand } from './web';

/** Every subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: readonly Command[] = [webCommand, gatewayCommand];
