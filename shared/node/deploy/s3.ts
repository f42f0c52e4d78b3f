/**
 * Delivery to S3-compatible object storage through a presigned PUT URL (made by whoever owns
 * the bucket, so no cloud credentials ever reach Fieldgraph). The storage's ETag (the MD5 of
 * a single-part upload) must match what was sent.
 */
import { createHash } from 'node:crypto';
import { FieldgraphError } from '../../core/errors';
import { redactUrl } from '../redact';
import { peekManifest, progress, type DeployTarget } from './target';

/** A presigned PUT URL (http or https). */
export const s3Target = (presignedUrl: string): DeployTarget => {
  const label = `storage ${redactUrl(presignedUrl)}`;
  return {
    kind: 's3',
    label,
    async deliver(bytes, options) {
      peekManifest(bytes);
      let response: Response;
      try {
        response = await fetch(presignedUrl, {
          method: 'PUT',
          body: Buffer.from(bytes),
          headers: { 'content-type': 'application/octet-stream' },
          signal: AbortSignal.timeout(options?.timeoutMs ?? 60_000),
        });
      } catch (error) {
        throw new FieldgraphError(
          'deploy.unreachable',
          `Cannot reach the storage at ${redactUrl(presignedUrl)} (${(error as Error).message}).`,
        );
      }
      const text = await response.text();
      if (!response.ok) {
        const reason = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
        throw new FieldgraphError(
          'deploy.upload_failed',
          `The storage refused the upload (${reason}). The presigned URL may have expired or be for another method; ask for a new one.`,
        );
      }
      const etag = response.headers.get('etag')?.replaceAll('"', '');
      const md5 = createHash('md5').update(bytes).digest('hex');
      if (etag && /^[0-9a-f]{32}$/.test(etag) && etag !== md5) {
        throw new FieldgraphError(
          'deploy.readback_failed',
          `The storage holds different bytes (ETag ${etag}, sent ${md5}); upload again.`,
        );
      }
      options?.onProgress?.(progress(label, 'uploaded'));
      return {
        target: label,
        ok: true,
        gateways: [],
        location: redactUrl(presignedUrl),
        message: 'Uploaded; the storage confirmed the bytes.',
      };
    },
  };
};
