import type { EventHub } from '../../core/api/events';
import type { Logger } from '../log';

/** What every service area gets from the program that composes it. */
export interface ServiceContext {
  /** Which program runs the services. */
  readonly runtime: 'electron' | 'web';
  /** Per-user state folder (recent projects, secrets file, window state). */
  readonly dataDir: string;
  /** Where services publish events for the UI. */
  readonly hub: EventHub;
  readonly log: Logger;
  /** Electron's version when running inside Electron. */
  readonly electronVersion?: string;
  /** The native folder dialog (desktop app only); the web app leaves it out and the UI asks for a path. */
  readonly pickFolder?: (purpose: 'open' | 'create') => Promise<string | null>;
}
