import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../../shared/node/redact';

describe('redactUrl', () => {
  it.each([
    ['mqtt://installer:s3cret@127.0.0.1:1883', 'mqtt://127.0.0.1:1883'],
    ['mqtts://:only-password@broker.site:8883', 'mqtts://broker.site:8883'],
    ['mqtt://127.0.0.1:1883', 'mqtt://127.0.0.1:1883'],
    ['http://admin:pw@127.0.0.1:8080/v1/packages', 'http://127.0.0.1:8080/v1/packages'],
    [
      'https://bucket.s3.local/site/pkg.fgpkg?X-Amz-Credential=AK%2F1&X-Amz-Signature=abc',
      'https://bucket.s3.local/site/pkg.fgpkg?…',
    ],
  ])('%s reads %s', (url, safe) => {
    expect(redactUrl(url)).toBe(safe);
  });

  it('never echoes what does not parse, as it may hold a secret', () => {
    expect(redactUrl('installer:s3cret@broker')).toBe('(invalid URL)');
    expect(redactUrl('')).toBe('(invalid URL)');
  });
});
