/** Delivery over HTTP: `POST <gateway>/v1/packages` with the gateway's deploy token; the reply is the install result. */
import { FieldgraphError } from '../../core/errors';
import type { InstallResult } from '../gateway/install/installer';
import { peekManifest, progress, redactUrl, type DeployTarget } from './target';

/** A gateway's HTTP endpoint (`http://host:port`, with or without `/v1/packages`). */
export const httpGatewayTarget = (url: string, token: string, gatewayId = 'gateway'): DeployTarget => {
  const endpoint = new URL(url);
  if (!endpoint.pathname.endsWith('/v1/packages'))
    endpoint.pathname = endpoint.pathname.replace(/\/$/, '') + '/v1/packages';
  const label = `gateway via ${redactUrl(endpoint.toString())}`;
  return {
    kind: 'http',
    label,
    async deliver(bytes, options) {
      peekManifest(bytes);
      options?.onProgress?.(progress(label, 'connecting'));
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/vnd.fieldgraph.package+zip',
          },
          body: Buffer.from(bytes),
          signal: AbortSignal.timeout(options?.timeoutMs ?? 60_000),
        });
      } catch (error) {
        throw new FieldgraphError(
          'deploy.unreachable',
          `Cannot reach ${redactUrl(endpoint.toString())} (${(error as Error).message}). Check the address and that the gateway runs with --http.`,
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
          'The gateway refused the deploy token; check --token.',
        );
      const result = body.ok ? body.value! : undefined;
      const gateway = {
        gateway: gatewayId,
        ok: body.ok,
        step: result?.step ?? ('rejected' as const),
        running: result?.running ?? null,
        ...(result?.version !== undefined ? { version: result.version } : {}),
        ...(body.error ? { code: body.error.code, message: body.error.message } : {}),
      };
      options?.onProgress?.(progress(label, gateway.step, { gateway: gatewayId }));
      return { target: label, ok: body.ok, gateways: [gateway] };
    },
  };
};
