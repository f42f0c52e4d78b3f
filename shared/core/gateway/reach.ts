/**
 * Where a gateway's HTTP endpoint can be reached from, judged from the address it listens on
 * (the status's `httpHost`): a loopback listener serves only its own machine, a wildcard one
 * every interface, any other address that interface alone.
 */

/** True for 127.0.0.0/8, ::1 and `localhost`: addresses no other machine can reach. */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
};

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The host to reach an HTTP endpoint listening on `listenHost` at, for someone who reaches the
 * gateway at `seenAt`: `seenAt` when the listener covers it, the listener's own address when it
 * is a specific reachable one, undefined when the listener is loopback and `seenAt` is not.
 * A missing `listenHost` (a gateway that does not say) is taken as covering `seenAt`.
 */
export const httpHostFor = (
  listenHost: string | undefined,
  seenAt: string | undefined,
): string | undefined => {
  if (listenHost === undefined || WILDCARDS.has(listenHost.replace(/^\[|\]$/g, ''))) return seenAt;
  const bare = listenHost.replace(/^\[|\]$/g, '');
  if (isLoopbackHost(bare)) return seenAt !== undefined && isLoopbackHost(seenAt) ? seenAt : undefined;
  return bare;
};
