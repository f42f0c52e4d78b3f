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
 * Creates a loopback-only namespace with multicast routed to lo, as docs/testing.md describes.
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

/** One end of a {@link createTwoHosts} link. */
export interface Host {
  readonly ns: string;
  /** Its IPv4 address on the link: the interface to announce or browse on. */
  readonly address: string;
}

/**
 * Two namespaces joined by a veth pair with multicast on — a gateway box and the installer's
 * laptop on one /24 (`<subnet>.1` and `<subnet>.2`). Multicast stays on the pair.
 */
export const createTwoHosts = (subnet: string): { gateway: Host; laptop: Host; destroy(): void } => {
  const tag = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
  const gateway = { ns: `fg-gw-${tag}`, address: `${subnet}.1`, dev: `fgva${tag}` };
  const laptop = { ns: `fg-lt-${tag}`, address: `${subnet}.2`, dev: `fgvb${tag}` };
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  const destroy = () => {
    for (const ns of [gateway.ns, laptop.ns]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  };
  try {
    ip('netns', 'add', gateway.ns);
    ip('netns', 'add', laptop.ns);
    ip(
      'link',
      'add',
      gateway.dev,
      'netns',
      gateway.ns,
      'type',
      'veth',
      'peer',
      'name',
      laptop.dev,
      'netns',
      laptop.ns,
    );
    for (const host of [gateway, laptop]) {
      ip('-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', host.dev);
      ip('-n', host.ns, 'link', 'set', host.dev, 'up', 'multicast', 'on');
      ip('-n', host.ns, 'link', 'set', 'lo', 'up');
    }
  } catch (error) {
    destroy();
    throw error;
  }
  return {
    gateway: { ns: gateway.ns, address: gateway.address },
    laptop: { ns: laptop.ns, address: laptop.address },
    destroy,
  };
};
