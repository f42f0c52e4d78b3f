/**
 * HTTP to one device, with its login when the site gives it one: HTTP Digest (RFC 7616, SHA-256
 * as Shelly Gen2+ asks), done by hand because fetch has none. The first 401 brings the
 * challenge; later requests reuse it with a growing nonce count, and a stale nonce (another
 * 401) is answered once with the fresh challenge. The password is asked for per request and
 * never kept here, so a version switch drops it with the runner.
 */
import { FieldgraphError } from '../../core/errors';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from '../protocols/digest-auth';

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
  /** Gives up after this long, reading the body included; 0 for a stream that stays open. */
  readonly timeoutMs: number;
  /** Ends the request (and its body) when aborted: a subscription being stopped. */
  readonly signal?: AbortSignal;
}

/** Sends requests to one device, answering its digest challenges with `login`. */
export const createDeviceHttp = (deviceId: string, login: DeviceLogin | undefined) => {
  let challenge: DigestChallenge | undefined;
  let nc = 0;

  const send = (request: DeviceRequest, authorization?: string): Promise<Response> => {
    const signals = [
      ...(request.timeoutMs > 0 ? [AbortSignal.timeout(request.timeoutMs)] : []),
      ...(request.signal ? [request.signal] : []),
    ];
    return fetch(request.url, {
      method: request.method,
      ...(request.body === undefined ? {} : { body: request.body }),
      headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
      ...(signals.length ? { signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals) } : {}),
    });
  };

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

/** Sends one request to a device (what `createDeviceHttp` returns). */
export type DeviceHttp = ReturnType<typeof createDeviceHttp>;

/** An HTTP resource a device tells values on: long-poll (each GET answers the next value) or SSE. */
export interface DeviceHttpWatch {
  readonly url: string;
  readonly mode: 'longpoll' | 'sse';
  /** For SSE: only messages of this event type (`message` when the stream names none). */
  readonly event?: string;
}

/** How long one long-poll request may wait for the device's next value. */
const LONG_POLL_MS = 120_000;
/** Waits before reconnecting after a failure: 1 s, doubling to 30 s; a working stream resets it. */
const RETRY_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
/** Longest SSE message or long-poll answer read: a device that never ends a message must not grow memory. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** One server-sent event: its type and data (lines joined with a newline). */
interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/** Splits a text/event-stream into messages as the HTML spec says; `push` returns the finished ones. */
export const sseParser = () => {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  return (chunk: string): SseMessage[] => {
    buffer += chunk;
    if (buffer.length > MAX_MESSAGE_BYTES) throw new Error('an event-stream message is larger than 1 MB');
    const out: SseMessage[] = [];
    let at: number;
    while ((at = buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
      if (at === buffer.length - 1 && buffer.endsWith('\r')) break;
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + (buffer.startsWith('\r\n', at) ? 2 : 1));
      if (line === '') {
        if (data.length)
          out.push({ event: event || 'message', data: data.join('\n'), ...(id ? { id } : {}) });
        data = [];
        event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
    return out;
  };
};

/**
 * Follows one HTTP resource of a device until stopped, handing each value (as text) to
 * `onValue`: an SSE stream kept open (reconnecting with Last-Event-ID after a drop), or
 * long-poll requests one after the other. Failures are logged through `onProblem` and retried
 * with backoff; the gateway keeps running whatever the device does.
 */
export const watchDeviceHttp = (
  http: DeviceHttp,
  watch: DeviceHttpWatch,
  onValue: (text: string) => void,
  onProblem: (message: string) => void,
): (() => void) => {
  const stop = new AbortController();
  let failures = 0;
  let lastEventId: string | undefined;
  const pause = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      stop.signal.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
    });
  const readBody = async (response: Response, each: (text: string) => void) => {
    const reader = response.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        each(decoder.decode(value, { stream: true }));
      }
    } finally {
      reader.releaseLock();
    }
  };
  const once = async (): Promise<void> => {
    if (watch.mode === 'sse') {
      const response = await http({
        method: 'GET',
        url: watch.url,
        headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        timeoutMs: 0,
        signal: stop.signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`the device answered HTTP ${response.status}`);
      }
      failures = 0;
      const parse = sseParser();
      const wanted = watch.event ?? 'message';
      await readBody(response, (chunk) => {
        for (const m of parse(chunk)) {
          if (m.id !== undefined) lastEventId = m.id;
          if (m.event === wanted) onValue(m.data);
        }
      });
      if (!stop.signal.aborted) throw new Error('the device closed its event stream');
      return;
    }
    const response = await http({
      method: 'GET',
      url: watch.url,
      timeoutMs: LONG_POLL_MS,
      signal: stop.signal,
    });
    // 204/304: the wait ended without a value; ask again at once.
    if (response.status === 204 || response.status === 304) {
      await response.body?.cancel();
      failures = 0;
      return;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`the device answered HTTP ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_MESSAGE_BYTES) throw new Error('the answer is larger than 1 MB');
    failures = 0;
    onValue(text);
  };
  void (async () => {
    while (!stop.signal.aborted) {
      try {
        await once();
      } catch (error) {
        if (stop.signal.aborted) break;
        onProblem(
          `${watch.mode === 'sse' ? 'event stream' : 'long-poll'} ${watch.url}: ${(error as Error).message}`,
        );
        await pause(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!);
      }
    }
  })();
  return () => stop.abort();
};
