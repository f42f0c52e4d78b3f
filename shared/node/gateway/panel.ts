/**
 * The gateway's panel over HTTP: the page at `/panel` (static files from resources/panel: it
 * carries no data and asks for the token in the browser), and its data API below
 * `/panel/api/` — the panel with its current values, a live stream of changes (server-sent
 * events, read with fetch so the token travels in a header), and presses of controls, each of
 * which starts a run. The API needs the site's HTTP token like the flow endpoints, checked on
 * the headers before a byte of a body is read; every input is bounded (PANEL_LIMITS).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import { fitsPropertyBounds, MESSAGE_PROPERTY_LIMITS } from '../../core/flow/catalog';
import type { Flow } from '../../core/flow/schema';
import { parseJsonWithin } from '../../core/json/bounded';
import type { Logger } from '../log';
import { resourcesDir } from '../paths';
import { requireSiteToken } from './flow-endpoints';
import { HttpReply, HttpStream, type GatewayHttp } from './http';
import { takesState, type PanelWidget } from './panel-model';
import { createPanelHub, PANEL_LIMITS, type PanelHub } from './panel-state';

/** What the running flows offer the panel: their documents, presses that start runs, the site's token. */
export interface PanelFlows {
  readonly flows: readonly Flow[];
  /** Starts a run of the control's trigger node; the run id, or undefined when the run mode dropped or queued it. */
  press(flowId: string, nodeId: string, value: unknown): string | undefined;
  token(): { readonly token: string } | { readonly problem: string };
}

const fail = (
  code: ConstructorParameters<typeof FieldgraphError>[0],
  message: string,
  headers?: Record<string, string>,
) => new FieldgraphError(code, message, headers ? { headers } : undefined);

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The value a press of `widget` carries, or a FieldgraphError saying why `given` does not fit it. */
export const pressValue = (widget: PanelWidget, given: unknown): unknown => {
  const s = widget.settings;
  const bad = (why: string) => fail('panel.bad_request', `"${widget.name}" is a ${widget.kind}: ${why}.`);
  switch (widget.kind) {
    case 'button':
      return s.value;
    case 'switch':
      if (same(given, s.on) || same(given, s.off)) return given;
      throw bad(`send its on value ${JSON.stringify(s.on)} or its off value ${JSON.stringify(s.off)}`);
    case 'slider':
    case 'number': {
      const [min, max] = [Number(s.min), Number(s.max)];
      if (typeof given !== 'number' || !Number.isFinite(given) || given < min || given > max)
        throw bad(`send a number from ${min} to ${max}`);
      return given;
    }
    case 'dropdown': {
      const options = (s.options ?? []) as { value: unknown }[];
      if (options.some((o) => same(o.value, given))) return given;
      throw bad('send the value of one of its options');
    }
    case 'text':
      if (typeof given !== 'string' || given.length > PANEL_LIMITS.text)
        throw bad(`send text of at most ${PANEL_LIMITS.text} characters`);
      return given;
    default:
      throw fail('panel.bad_request', `"${widget.name}" shows a value; it cannot be pressed.`);
  }
};

const readAsset = (name: string): string => readFileSync(join(resourcesDir, 'panel', name), 'utf8');

// The page and its files load from this gateway only, and nothing else may run or be fetched.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * Serves the panel on `http` with whatever flows `flows()` gives at the time of each request;
 * the returned hub takes the values Show on panel nodes show and the package of each deploy.
 */
export const servePanel = (
  http: GatewayHttp,
  flows: () => PanelFlows | undefined,
  log: Logger,
  clock: () => number = Date.now,
): PanelHub => {
  const hub = createPanelHub(clock);
  const assets = {
    page: readAsset('index.html'),
    script: readAsset('panel.js'),
    style: readAsset('panel.css'),
  };
  const file = (body: string, type: string) => () =>
    new HttpReply(200, { ...PAGE_HEADERS, 'content-type': `${type}; charset=utf-8` }, body);
  http.route('GET', '/panel', file(assets.page, 'text/html'));
  http.route('GET', '/panel/', file(assets.page, 'text/html'));
  http.route('GET', '/panel/panel.js', file(assets.script, 'text/javascript'));
  http.route('GET', '/panel/panel.css', file(assets.style, 'text/css'));

  let streams = 0;
  const presses = new Map<string, { tokens: number; at: number }>();

  const authorize = (request: IncomingMessage): void => {
    const running = flows();
    if (!running || hub.model.widgets.length === 0)
      throw fail(
        'panel.not_found',
        'The flows on this gateway put nothing on the panel: deploy a package with Panel control or Show on panel nodes.',
      );
    requireSiteToken(request, running.token(), {
      subject: 'The panel',
      realm: 'fieldgraph-panel',
      unavailable: 'panel.unavailable',
      unauthorized: 'panel.unauthorized',
    });
  };

  http.route('GET', '/panel/api/panel', () => hub.snapshot(), { authorize, maxBody: 0 });

  http.route(
    'GET',
    '/panel/api/stream',
    () =>
      new HttpStream((response: ServerResponse) => {
        streams++;
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-accel-buffering': 'no',
        });
        const send = (event: string, data: unknown) => {
          // A page that stopped reading is dropped rather than buffered for without end.
          if (response.writableLength > 1024 * 1024) response.destroy();
          else response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        send('panel', hub.snapshot());
        const stop = hub.listen(send);
        const beat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
        response.on('close', () => {
          streams--;
          stop();
          clearInterval(beat);
        });
      }),
    {
      authorize: (request) => {
        authorize(request);
        if (streams >= PANEL_LIMITS.streams)
          throw fail(
            'panel.busy',
            `The gateway has ${streams} live panel pages open, its limit; close one or retry shortly.`,
            { 'retry-after': '5' },
          );
      },
      maxBody: 0,
    },
  );

  http.route(
    'POST',
    '/panel/api/press',
    (request, _url, body) => {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json')
        throw fail('panel.unsupported_type', 'Send a press as JSON (Content-Type: application/json).');
      const parsed = parseJsonWithin(body.toString('utf8'), { maxDepth: MESSAGE_PROPERTY_LIMITS.depth + 1 });
      if (!parsed.ok) throw fail('panel.bad_request', `The press is not JSON: ${parsed.problem.message}.`);
      const press = parsed.value as { widget?: unknown; value?: unknown } | null;
      if (typeof press !== 'object' || press === null || typeof press.widget !== 'string')
        throw fail('panel.bad_request', 'A press is {"widget": "<control name>", "value": …}.');
      const control = hub.model.controls.get(press.widget);
      if (!control)
        throw fail('panel.not_found', `The panel has no control named "${press.widget.slice(0, 64)}".`);
      if (!fitsPropertyBounds(press.value))
        throw fail(
          'panel.bad_request',
          `The value is too large or too deeply nested (at most ${MESSAGE_PROPERTY_LIMITS.chars} characters as JSON and ${MESSAGE_PROPERTY_LIMITS.depth} levels).`,
        );
      const value = pressValue(control.widget, press.value);
      const now = clock();
      const rate = PANEL_LIMITS.pressesPerSecond;
      const bucket = presses.get(control.widget.name) ?? { tokens: rate, at: now };
      bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      bucket.at = now;
      presses.set(control.widget.name, bucket);
      if (bucket.tokens < 1)
        throw fail(
          'panel.too_many_presses',
          `"${control.widget.name}" takes at most ${rate} presses a second; retry shortly.`,
          { 'retry-after': '1' },
        );
      bucket.tokens--;
      const running = flows();
      if (!running) throw fail('panel.unavailable', 'The flows stopped; retry when they run again.');
      if (takesState(control.widget)) hub.setState(control.widget.name, value);
      try {
        const runId = running.press(control.flowId, control.nodeId, value);
        return { widget: control.widget.name, value, runId: runId ?? null };
      } catch (error) {
        log.warn('a panel press could not start its flow', { widget: control.widget.name });
        throw fail('panel.unavailable', `The press cannot start the flow: ${(error as Error).message}`);
      }
    },
    { authorize, maxBody: PANEL_LIMITS.body },
  );
  return hub;
};
