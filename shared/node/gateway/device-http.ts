/**
 * HTTP to one device, with its login when the site gives it one: HTTP Digest (RFC 7616, SHA-256
 * as Shelly Gen2+ asks), done by hand because fetch has none. The first 401 brings the
 * challenge; later requests reuse it with a growing nonce count, and a stale nonce (another
 * 401) is answered once with the fresh challenge. The password is asked for per request and
 * never kept here, so a version switch drops it with the runner.
 */
import { FieldgraphError } from '../../core/errors';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from '../commission/digest-auth';

/** A device's login: the user name and how to get the password (throws when it is not available). */
export interface DeviceLogin {
  readonly username: string;
  /** Reference name of the password, for messages. */
  readonly secret: string;
  password(): string;
}

/** One request to a device. */
export interface DeviceRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly timeoutMs: number;
}

/** Sends requests to one device, answering its digest challenges with `login`. */
export const createDeviceHttp = (deviceId: string, login: DeviceLogin | undefined) => {
  let challenge: DigestChallenge | undefined;
  let nc = 0;

  const send = (request: DeviceRequest, authorization?: string): Promise<Response> =>
    fetch(request.url, {
      method: request.method,
      ...(request.body === undefined ? {} : { body: request.body }),
      headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
      signal: AbortSignal.timeout(request.timeoutMs),
    });

  const authorize = (request: DeviceRequest, password: string): string | undefined => {
    if (!challenge || !login) return undefined;
    const url = new URL(request.url);
    return digestAuthorization(
      challenge,
      login.username,
      password,
      request.method,
      `${url.pathname}${url.search}`,
      ++nc,
    );
  };

  return async (request: DeviceRequest): Promise<Response> => {
    // Resolved before anything is sent: a missing secret fails the call without touching the device.
    const password = login?.password();
    let response = await send(request, password === undefined ? undefined : authorize(request, password));
    if (response.status !== 401) return response;
    if (!login || password === undefined) {
      throw new Error(
        `device ${deviceId} asks for a login (HTTP 401); give it "auth": { "password": { "secret": "…" } } in the site file and deploy again`,
      );
    }
    const fresh = parseDigestChallenge(response.headers.get('www-authenticate'));
    if (!fresh) {
      throw new Error(
        `device ${deviceId} asks for a login that is not HTTP Digest, which Fieldgraph cannot answer`,
      );
    }
    challenge = fresh;
    nc = 0;
    await response.body?.cancel();
    response = await send(request, authorize(request, password));
    if (response.status === 401) {
      challenge = undefined;
      throw new FieldgraphError(
        'gateway.device_auth_failed',
        `device ${deviceId} refused the login "${login.username}" with the password in secret "${login.secret}" (HTTP 401); store the device's password under that name and deploy again`,
        { secret: login.secret },
      );
    }
    return response;
  };
};
