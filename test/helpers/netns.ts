import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** A network namespace made by the test: multicast stays inside it (the network rule). */
export interface NetNs {
  readonly name: string;
  /** Address to pass as the mDNS `interface` inside the namespace. */
  readonly address: string;
  /** Runs a command inside the namespace. */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  destroy(): void;
}

/** True when this process may create network namespaces (root with iproute2). */
export const canCreateNetns = (): boolean => {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
};

/**
 * Creates a loopback-only namespace with multicast routed to lo, as TESTING.md describes.
 * Everything spawned through it multicasts only inside the namespace.
 */
export const createNetns = (prefix = 'fg-test'): NetNs => {
  const name = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  execFileSync('ip', ['netns', 'add', name]);
  try {
    execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up', 'multicast', 'on']);
    execFileSync('ip', ['-n', name, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
  } catch (error) {
    execFileSync('ip', ['netns', 'del', name]);
    throw error;
  }
  return {
    name,
    address: '127.0.0.1',
    spawn: (command, args, options = {}) => spawn('ip', ['netns', 'exec', name, command, ...args], options),
    destroy: () => {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
};
