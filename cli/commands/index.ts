import type { Command } from '../command';
import { webCommand } from './web';

/** Every subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: readonly Command[] = [webCommand];
