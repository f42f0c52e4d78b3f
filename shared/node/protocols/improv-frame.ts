/**
 * Improv Wi-Fi serial framing (docs/device-protocols.md): `IMPROV` 0x01 type len data checksum
 * `\n`. Both our client and our virtual device use these functions, so the independent SDK
 * test (improv-wifi-serial-sdk against the virtual device) is what keeps them honest.
 */

/** Packet types. */
export const ImprovType = { state: 0x01, error: 0x02, rpc: 0x03, rpcResult: 0x04 } as const;
/** RPC commands. */
export const ImprovCommand = {
  wifiSettings: 0x01,
  currentState: 0x02,
  deviceInfo: 0x03,
  scan: 0x04,
  hostname: 0x05,
  deviceName: 0x06,
  networkState: 0x07,
} as const;
/** Device states. */
export const ImprovState = {
  stopped: 0x00,
  awaitingAuthorization: 0x01,
  ready: 0x02,
  provisioning: 0x03,
  provisioned: 0x04,
} as const;
/** Device error codes. */
export const ImprovError = {
  none: 0x00,
  invalidRpc: 0x01,
  unknownCommand: 0x02,
  unableToConnect: 0x03,
  notAuthorized: 0x04,
  badHostname: 0x05,
  unknown: 0xff,
} as const;

const header = [0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56];
const version = 0x01;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One decoded frame. */
export interface ImprovFrame {
  readonly type: number;
  readonly data: Uint8Array;
}

/** Encodes one frame with checksum and trailing newline; data must be ≤255 bytes. */
export const encodeImprovFrame = (type: number, data: Uint8Array): Uint8Array => {
  if (data.length > 255) throw new RangeError(`Improv frame data is ${data.length} bytes; the limit is 255`);
  const out = new Uint8Array(9 + data.length + 2);
  out.set(header, 0);
  out[6] = version;
  out[7] = type;
  out[8] = data.length;
  out.set(data, 9);
  let sum = 0;
  for (let i = 0; i < 9 + data.length; i++) sum += out[i] as number;
  out[9 + data.length] = sum & 0xff;
  out[10 + data.length] = 0x0a;
  return out;
};

/** Length-prefixed UTF-8 string as the RPC payloads carry it; throws past 255 bytes. */
export const lengthPrefixed = (text: string): Uint8Array => {
  const bytes = encoder.encode(text);
  if (bytes.length > 255)
    throw new RangeError(`"${text.slice(0, 20)}…" is ${bytes.length} bytes; the limit is 255`);
  const out = new Uint8Array(bytes.length + 1);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
};

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** An RPC command frame (type 0x03): `cmd len payload`, no inner checksum on serial. */
export const encodeImprovRpc = (command: number, payload: Uint8Array = new Uint8Array()): Uint8Array =>
  encodeImprovFrame(ImprovType.rpc, concat([Uint8Array.of(command, payload.length), payload]));

/** An RPC result frame (type 0x04): `cmd len` then length-prefixed strings. */
export const encodeImprovResult = (command: number, strings: readonly string[]): Uint8Array => {
  const body = concat(strings.map(lengthPrefixed));
  return encodeImprovFrame(ImprovType.rpcResult, concat([Uint8Array.of(command, body.length), body]));
};

/** The Wi-Fi settings RPC payload: `ssidLen ssid passLen pass`. */
export const wifiSettingsPayload = (ssid: string, password: string): Uint8Array =>
  concat([lengthPrefixed(ssid), lengthPrefixed(password)]);

/** Splits `len bytes len bytes …` into strings; undefined when a length runs past the end. */
export const decodeStrings = (bytes: Uint8Array): string[] | undefined => {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const len = bytes[at] as number;
    if (at + 1 + len > bytes.length) return undefined;
    out.push(decoder.decode(bytes.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  return out;
};

/** A decoded RPC packet (command frame or result frame): command and payload. */
export interface ImprovRpcBody {
  readonly command: number;
  readonly payload: Uint8Array;
}

/** Splits `cmd len payload`; undefined when the inner length does not match. */
export const decodeRpcBody = (data: Uint8Array): ImprovRpcBody | undefined => {
  if (data.length < 2) return undefined;
  const len = data[1] as number;
  if (2 + len !== data.length) return undefined;
  return { command: data[0] as number, payload: data.subarray(2) };
};

/** What the stream reader found. */
export type ImprovStreamItem =
  | { readonly kind: 'frame'; readonly frame: ImprovFrame }
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const startsHeaderAt = (buf: Uint8Array, at: number): boolean => {
  for (let i = 0; i < header.length; i++) if (buf[at + i] !== header[i]) return false;
  return true;
};

/**
 * Incremental reader for a serial stream that mixes Improv frames with plain log lines.
 * Frames are found by their `IMPROV` header anywhere in the stream; text outside frames comes
 * out as lines. A bad checksum or version gives an `invalid` item and the reader resyncs just
 * past the bad header, so a corrupt or truncated frame never swallows the next good one.
 */
export class ImprovStreamReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private text = '';

  /** Feeds bytes; returns every complete item found so far, in stream order. */
  push(bytes: Uint8Array): ImprovStreamItem[] {
    this.buffer = concat([this.buffer, bytes]);
    const items: ImprovStreamItem[] = [];
    for (;;) {
      const start = this.findHeader();
      const textEnd = start < 0 ? this.partialHeaderStart() : start;
      if (textEnd > 0) {
        this.takeText(this.buffer.subarray(0, textEnd), items);
        this.buffer = this.buffer.subarray(textEnd);
      }
      if (start < 0) break;
      if (this.buffer.length < 9) break;
      if (this.buffer[6] !== version) {
        items.push({ kind: 'invalid', reason: `unsupported Improv version ${this.buffer[6]}` });
        this.buffer = this.buffer.subarray(header.length);
        continue;
      }
      const len = this.buffer[8] as number;
      if (this.buffer.length < 10 + len) {
        // A truncated frame would otherwise swallow the frames after it: a new header inside
        // the incomplete body means the first frame was cut short.
        const next = this.findHeader(header.length + 1);
        if (next < 0) break;
        items.push({ kind: 'invalid', reason: 'truncated frame' });
        this.buffer = this.buffer.subarray(next);
        continue;
      }
      let sum = 0;
      for (let i = 0; i < 9 + len; i++) sum += this.buffer[i] as number;
      if ((sum & 0xff) !== this.buffer[9 + len]) {
        items.push({ kind: 'invalid', reason: 'bad checksum' });
        this.buffer = this.buffer.subarray(header.length);
        this.dropRemnant = true;
        continue;
      }
      this.dropRemnant = false;
      items.push({
        kind: 'frame',
        frame: { type: this.buffer[7] as number, data: this.buffer.slice(9, 9 + len) },
      });
      // The trailing newline is customary, not guaranteed: skip it only when present.
      const end = this.buffer[10 + len] === 0x0a ? 11 + len : 10 + len;
      if (this.buffer.length === 10 + len) {
        this.buffer = this.buffer.subarray(10 + len);
        this.skipNewline = true;
      } else this.buffer = this.buffer.subarray(end);
    }
    return items;
  }

  private skipNewline = false;

  // After a rejected frame its remaining bytes are binary noise, not a log line.
  private dropRemnant = false;

  private findHeader(from = 0): number {
    for (let i = from; i + header.length <= this.buffer.length; i++)
      if (startsHeaderAt(this.buffer, i)) return i;
    return -1;
  }

  // Bytes at the end that could be the start of a header stay buffered until more arrive.
  private partialHeaderStart(): number {
    const from = Math.max(0, this.buffer.length - header.length + 1);
    for (let i = from; i < this.buffer.length; i++) {
      let match = true;
      for (let j = 0; i + j < this.buffer.length; j++) if (this.buffer[i + j] !== header[j]) match = false;
      if (match) return i;
    }
    return this.buffer.length;
  }

  private takeText(bytes: Uint8Array, items: ImprovStreamItem[]): void {
    let chunk = bytes;
    if (this.skipNewline && chunk[0] === 0x0a) chunk = chunk.subarray(1);
    this.skipNewline = false;
    if (this.dropRemnant) {
      const newline = chunk.indexOf(0x0a);
      if (newline < 0) return;
      chunk = chunk.subarray(newline + 1);
      this.dropRemnant = false;
    }
    this.text += decoder.decode(chunk);
    const parts = this.text.split('\n');
    this.text = parts.pop() ?? '';
    for (const part of parts) {
      const line = part.replace(/\r$/, '');
      if (line.length) items.push({ kind: 'line', text: line });
    }
    // Log lines without a newline must not grow without bound.
    if (this.text.length > 4096) {
      items.push({ kind: 'line', text: this.text });
      this.text = '';
    }
  }
}
