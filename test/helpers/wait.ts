/**
 * Polls `probe` until it gives a value other than undefined, and returns it; after `ms`
 * milliseconds fails with "timed out waiting for <what>".
 */
export const waitForValue = async <T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 10_000,
): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
