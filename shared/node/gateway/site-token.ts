/**
 * The site's HTTP token for flow endpoints: the site file names it (`"http": {"token":
 * {"secret": "…"}}`), the installed package carries its value sealed to this gateway. Only the
 * reference name is ever logged or said; the value stays in memory.
 */
import { FieldgraphError } from '../../core/errors';
import type { Logger } from '../log';
import type { FlowSet } from './runner';
import { noSecrets } from './secrets';

const tokenRef = (site: unknown): string | undefined => {
  const http = (site as { http?: { token?: { secret?: unknown } } } | null)?.http;
  const name = http?.token?.secret;
  return typeof name === 'string' && name !== '' ? name : undefined;
};

/** A lookup of the token (or why there is none) for the flows of `set`. */
export const siteHttpToken = (set: FlowSet, log: Logger): (() => { token: string } | { problem: string }) => {
  const name = set.sites.map(tokenRef).find((n) => n !== undefined);
  const secrets = set.secrets ?? noSecrets(log);
  return () => {
    if (name === undefined)
      return {
        problem:
          'the site names no HTTP token. Set one in the app (Deploy view, pick the site, Gateway HTTP token) and deploy again, or set the endpoint open.',
      };
    try {
      return { token: secrets.resolve(name, 'the flows’ HTTP endpoints') };
    } catch (error) {
      if (error instanceof FieldgraphError) return { problem: error.message };
      throw error;
    }
  };
};
