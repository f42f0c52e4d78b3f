import type { EventHub } from '../../core/api/events';
import type { Logger } from '../log';
import type { SecretStore } from '../secrets/secret-store';

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
  /** The OS keychain store (desktop app); without it, secrets go to the encrypted file in dataDir. */
  readonly secrets?: SecretStore;
}

/**
 * A service area as a program holds it: the API methods, and `dispose()`, which stops what the
 * area started (connections, timers, child processes) so the program can exit. The program
 * decides when: on its own signals, or when its window closes. Safe to call more than once.
 */
export type WithDispose<Area> = Area & { dispose(): Promise<void> };
