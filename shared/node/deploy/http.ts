/**
 * Delivery over HTTP: `POST <gateway>/v1/packages` with the gateway's deploy token; the reply is
 * the install result. Also reads a gateway's `GET /v1/status` (no token needed), which is how the
 * app learns what a gateway known only by its HTTP address runs.
 */
import { FieldgraphError } from '../../core/errors';
import { GatewayStatus, type InstallResult } from '../../core/gateway';
import { Value } from '@sinclair/typebox/value';
import { redactUrl } from '../redact';
import { peekManifest, progress, type DeployTarget } from './target';

/** Options of an HTTP delivery beyond the address and token. */
export interface HttpTargetOptions {
  /** What to do about a refused token, for the message: the CLI says `--token`, the app names the secret reference. */
  readonly tokenFix?: string;
}

/** `http://host:port` of a gateway address given with or without a path. */
export const gatewayHttpBase = (url: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FieldgraphError(
      'deploy.invalid_target',
      `${JSON.stringify(url.slice(0, 200))} is not a gateway address; give it as http://HOST:PORT.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new FieldgraphError(
      'deploy.invalid_target',
      `A gateway's HTTP endpoint starts with http:// or https://, not ${parsed.protocol}; give it as http://HOST:PORT.`,
    );
  return `${parsed.protocol}//${parsed.host}`;
};

/** A gateway's HTTP endpoint (`http://host:port`, with or without `/v1/packages`). */
export const httpGatewayTarget = (
  url: string,
  token: string,
  gatewayId = 'gateway',
  options: HttpTargetOptions = {},
): DeployTarget => {
  const endpoint = new URL(url);
  if (!endpoint.pathname.endsWith('/v1/packages'))
    endpoint.pathname = endpoint.pathname.replace(/\/$/, '') + '/v1/packages';
  const label = `gateway ${gatewayId === 'gateway' ? '' : `${gatewayId} `}via ${redactUrl(endpoint.toString())}`;
  return {
    kind: 'http',
    label,
    async deliver(bytes, deliverOptions) {
      peekManifest(bytes);
      deliverOptions?.onProgress?.(progress(label, 'connecting', { gateway: gatewayId }));
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/vnd.fieldgraph.package+zip',
            // One connection per upload: a refused upload's connection is dropped by the gateway a
            // moment after it answers, and a pooled one would carry the next deploy into that drop.
            connection: 'close',
          },
          body: Buffer.from(bytes),
          signal: AbortSignal.timeout(deliverOptions?.timeoutMs ?? 60_000),
        });
      } catch (error) {
        // fetch says only "fetch failed"; the cause (ECONNREFUSED, ECONNRESET, a timeout) is the news.
        const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
        const why = [(error as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
        throw new FieldgraphError(
          'deploy.unreachable',
          `Cannot reach ${redactUrl(endpoint.toString())} (${why}). Check the address and that the gateway runs with --http.`,
        );
      }
      let body: { ok: boolean; value?: InstallResult; error?: { code: string; message: string } };
      try {
        body = (await response.json()) as typeof body;
      } catch {
        throw new FieldgraphError(
          'deploy.upload_failed',
          `${redactUrl(endpoint.toString())} answered HTTP ${response.status} without a Fieldgraph result; is that a gateway?`,
        );
      }
      if (response.status === 401)
        throw new FieldgraphError(
          'deploy.upload_failed',
          `The gateway refused the deploy token; ${options.tokenFix ?? 'check --token'}.`,
        );
      deliverOptions?.onProgress?.(progress(label, 'sent', { gateway: gatewayId }));
      const result = body.ok ? body.value! : undefined;
      const gateway = {
        gateway: gatewayId,
        ok: body.ok,
        step: result?.step ?? ('rejected' as const),
        running: result?.running ?? null,
        ...(result?.version !== undefined ? { version: result.version } : {}),
        ...(body.error ? { code: body.error.code, message: body.error.message } : {}),
      };
      deliverOptions?.onProgress?.(
        progress(label, gateway.step, {
          gateway: gatewayId,
          ...(gateway.message ? { message: gateway.message } : {}),
        }),
      );
      return { target: label, ok: body.ok, gateways: [gateway] };
    },
  };
};

/** What `GET /v1/status` tells about a gateway (its status document, plus what the RPC adds). */
export type HttpGatewayStatus = GatewayStatus;

/** A gateway's status over HTTP; rejects with deploy.unreachable when nothing (or no gateway) answers. */
export const fetchGatewayStatus = async (url: string, timeoutMs = 2_000): Promise<HttpGatewayStatus> => {
  const base = gatewayHttpBase(url);
  let body: { ok?: boolean; value?: HttpGatewayStatus };
  try {
    const response = await fetch(`${base}/v1/status`, { signal: AbortSignal.timeout(timeoutMs) });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new FieldgraphError(
      'deploy.unreachable',
      `No gateway answers at ${redactUrl(base)} (${(error as Error).message}). Check the address and that the gateway runs with --http.`,
    );
  }
  if (!body.ok || !Value.Check(GatewayStatus, body.value))
    throw new FieldgraphError(
      'deploy.unreachable',
      `${redactUrl(base)} answered, but not with a Fieldgraph gateway status; is that the gateway's --http port?`,
    );
  return body.value;
};
