/**
 * The shape of a node kind in the catalog: everything the palette, inspector, validator,
 * packager and engine need, defined once per kind.
 */
import type { TObject } from '@sinclair/typebox';
import type { CompiledExpression } from '../../expr/cel';
import type { EndpointPath, HttpEndpointMethod } from '../http-path';
import type { DataShape, RoleInScope } from '../scope';

/** A message travelling along edges. Treated as immutable: nodes copy on write, never mutate. */
export interface Message {
  readonly payload: unknown;
  readonly topic?: string;
  /**
   * Named properties beyond payload and topic (`msg.command`), absent when there are none;
   * bounded by MESSAGE_PROPERTY_LIMITS (message.ts) wherever a node sets them.
   */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** Palette group of a kind. */
export type NodeCategory = 'trigger' | 'logic' | 'action';

/** One port of a kind: its name, what it carries, and a short label for the canvas. */
export interface PortSpec {
  readonly name: string;
  readonly label: string;
  /** The payload shape the port carries (outputs) or accepts (inputs); empty means anything. */
  readonly shape: DataShape;
}

/** A config field that holds a CEL expression, and the CEL type its result must have. */
export interface ExpressionField {
  readonly path: string;
  /** 'bool', 'string', 'double', or undefined for any type. */
  readonly expects?: string;
  /** The member whose value shape the result must fit (a Set property value fits the property). */
  readonly fits?: {
    readonly roleField: string;
    readonly memberField: string;
    readonly member: 'property' | 'action-input';
  };
  /** True when the field is a record whose every value is an expression. */
  readonly each?: boolean;
}

/** Which config fields name a role and one of its capability members. */
export interface RoleReference {
  readonly roleField: string;
  readonly memberField: string;
  readonly member: 'property' | 'action' | 'event';
}

/** How a trigger node is reached by the outside world; the engine indexes triggers by this. */
export type TriggerSource =
  | { readonly type: 'device-event'; readonly role: string; readonly event: string }
  | { readonly type: 'property-change'; readonly role: string; readonly property: string }
  | { readonly type: 'mqtt'; readonly topic: string; readonly format: 'json' | 'text' }
  | { readonly type: 'manual' }
  | { readonly type: 'gateway-started' }
  | { readonly type: 'http'; readonly endpoint: HttpEndpointSpec }
  /** A control on the gateway's panel, by its widget name (catalog/panel.ts). */
  | { readonly type: 'panel'; readonly widget: string }
  | { readonly type: 'error' }
  | {
      readonly type: 'schedule';
      /** The next time (ms since epoch) strictly after `afterMs` the trigger fires, if any. */
      readonly next: (afterMs: number) => number | undefined;
    };

/** Evaluates a compiled expression against a message and the flow's variables and roles. */
export type Evaluate = (expression: CompiledExpression, message: Message) => unknown;

/** What the devices, MQTT and HTTP ports answer, as a node sees them. */
export interface NodeIo {
  writeProperty(role: string, property: string, value: unknown): void | Promise<void>;
  invokeAction(role: string, action: string, input: unknown): unknown;
  publish(
    topic: string,
    payload: unknown,
    options: { qos: 0 | 1 | 2; retain: boolean },
  ): void | Promise<void>;
  request(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Answers the HTTP request that started the executing run; undefined when it was sent, else
   * why not (no request started this run, it was answered already, the gateway serves none).
   */
  respond(answer: HttpAnswer): string | undefined;
  /**
   * Shows a value on the gateway's panel; undefined when shown (or when this engine serves no
   * panel, as in Try it), else why it was refused (a value past the message property bounds).
   */
  show?(shown: PanelShown): string | undefined;
  log(level: 'debug' | 'info' | 'warn' | 'error', text: string): void;
}

/** A value a Show on panel node shows, with the widget it shows it on. */
export interface PanelShown {
  readonly widget: string;
  readonly display: 'text' | 'gauge' | 'chart' | 'notice' | 'control';
  readonly value: unknown;
}

/** An outgoing HTTP request. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

/** An HTTP response; the body is text. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An HTTP endpoint as its trigger node declares it; the gateway serves it below `/flows`. */
export interface HttpEndpointSpec {
  readonly method: HttpEndpointMethod;
  readonly path: EndpointPath;
  /** `token`: a request needs the site's bearer token; `open`: anyone who reaches the gateway. */
  readonly auth: 'token' | 'open';
  /** Request headers (lower case) put on the message under `msg.req.headers`. */
  readonly headers: readonly string[];
  /** The request is answered 504 when the flow has not answered it by then. */
  readonly timeoutMs: number;
}

/** What an HTTP response node answers: status, headers and the body as text or bytes. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/** Handle of a timer a node set; persisted so delays survive a restart. */
export type TimerId = number;

/**
 * What a node may do while it handles one message. Bound to the run that delivered the
 * message: timers and async work keep that run open, sends continue it.
 */
export interface StepContext {
  /** Current time from the engine clock, ms since epoch. */
  now(): number;
  /** Sends a message out of the named output port (to every edge on it, without copying). */
  send(port: string, message: Message): void;
  /** Evaluates an expression with the flow's and the gateway's variables and role state. */
  evaluate: Evaluate;
  /**
   * Sets a flow variable, or with scope `gateway` a gateway-wide one (throws when the value or
   * the store would pass GATEWAY_VARIABLE_LIMITS); the change is recorded in the trace.
   */
  setVariable(name: string, value: unknown, scope?: 'flow' | 'gateway'): void;
  /** Node-private state kept across runs (counter values, debounce timers…). */
  readonly state: Record<string, unknown>;
  /** Starts a timer owned by this run; `onTimer` gets `data` back, also after a restart. */
  startTimer(delayMs: number, data: unknown): TimerId;
  /** Cancels a timer (of any run of this flow); its run may then end. */
  cancelTimer(id: TimerId): void;
  /** Cancels every pending timer of this node, also those restored after a restart. */
  cancelNodeTimers(): void;
  /** Ends the run now with this outcome; pending timers of the run are cancelled. */
  stopRun(outcome: 'stopped' | 'failed', reason: string): void;
  /**
   * Starts a run of another flow at its manual trigger (the one with id `triggerId` when given);
   * resolves with that run's outcome.
   */
  runFlow(flowId: string, message: Message, triggerId?: string): Promise<string>;
  /**
   * Starts a run of another flow at its manual trigger and resolves with the message that run
   * hands back through a Return to caller node; rejects (with the reason) when that run ends
   * without returning, cannot start, calls too deep, or has not returned after `timeoutMs`.
   */
  callFlow(flowId: string, message: Message, timeoutMs: number, triggerId?: string): Promise<Message>;
  /** Hands `message` to the Run flow node waiting for this run's result; throws when none waits. */
  returnToCaller(message: Message): void;
  readonly io: NodeIo;
}

/** The runtime form of one node, built once per deploy by the kind's `create`. */
export interface NodeRuntime {
  /** Set on trigger nodes. */
  readonly trigger?: TriggerSource;
  /** Trigger nodes: turns an incoming event into the run's first message, or undefined to ignore it. */
  accept?(message: Message, evaluate: Evaluate): Message | undefined;
  /** Handles a message arriving on an input port; a returned promise keeps the run open. */
  receive?(ctx: StepContext, message: Message, port: string): void | Promise<void>;
  /** A timer this node started came due. */
  onTimer?(ctx: StepContext, data: unknown): void;
  /** Wait nodes: the device event they wait for, and what to do when it arrives (`data` is the timer's). */
  readonly waitsFor?: { readonly role: string; readonly event: string };
  onEvent?(ctx: StepContext, data: unknown, event: Message): void;
}

/** What `create` gets besides the node: a compiler for its expressions. */
export interface CreateTools {
  compile(source: string): CompiledExpression;
}

/** What the validator knows when it asks a kind for the shapes of its output ports. */
export interface ShapeContext {
  readonly roles: readonly RoleInScope[];
  /** The payload shape arriving at the node's input. */
  readonly input: DataShape;
  /** The result type of the node's expression at `path`, when it type-checked. */
  expressionType(path: string): string | undefined;
}

/** One node kind, defined once. */
export interface NodeKind {
  readonly kind: string;
  readonly category: NodeCategory;
  readonly title: string;
  /** What the node does, for the palette tooltip and the inspector. */
  readonly doc: string;
  /** Icon name from resources/icons (or a single glyph where no icon exists). */
  readonly icon: string;
  /** Config schema with defaults; required fields are the ones without a default. */
  readonly config: TObject;
  /** Input ports; a function for kinds whose ports follow their config (join inputs). */
  readonly inputs: readonly PortSpec[] | ((config: Record<string, unknown>) => readonly PortSpec[]);
  /** Output ports; a function for kinds whose ports follow their config (switch rules). */
  readonly outputs: readonly PortSpec[] | ((config: Record<string, unknown>) => readonly PortSpec[]);
  /** Narrower output shapes once roles and input are known (a property-change trigger carries the property). */
  readonly outputShape?: (config: Record<string, unknown>, ctx: ShapeContext) => DataShape | undefined;
  readonly expressions: readonly ExpressionField[];
  readonly roleRefs: readonly RoleReference[];
  /** True for kinds that put time between input and output, so a cycle through them is not a hot loop. */
  readonly breaksCycles?: boolean;
  /** True when the node's `state` must survive a restart (a counter's value). */
  readonly persistsState?: boolean;
  /** Checks the schema cannot express (a cron pattern that parses); returns problems by config path. */
  readonly checkConfig?: (config: Record<string, unknown>) => readonly {
    path: string;
    message: string;
    /** A setting left out, not a wrong one. */ missing?: boolean;
  }[];
  /**
   * Set on stand-ins for what an import could not convert (a Node-RED function node): never
   * offered in the palette, shown read-only in the inspector, reported by the validator as
   * `flow.unconverted_node` (an error, so the flow cannot be deployed), and counted as a start
   * of the flow so the nodes it feeds are not called unreachable.
   */
  readonly placeholder?: true;
  /** Canvas size in px, fixed so the canvas never measures. */
  readonly size: { readonly width: number; readonly height: number };
  readonly create: (node: { id: string; config: Record<string, unknown> }, tools: CreateTools) => NodeRuntime;
}
