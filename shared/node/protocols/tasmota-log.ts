/**
 * Tasmota serial console lines (docs/device-protocols.md): `HH:MM:SS.mmm XXX: text`, where results
 * read `RSL: stat/<topic>/RESULT = {json}`, `MQT: stat/<topic>/RESULT = {json}` or
 * `RSL: RESULT = {json}` depending on the build.
 */

/** One parsed console line. */
export interface TasmotaLogLine {
  readonly time: string;
  /** Three-letter source: CMD, RSL, MQT, WIF, APP, … */
  readonly source: string;
  readonly text: string;
}

/** A result line: the topic (or bare key) and its payload, JSON-parsed when it is JSON. */
export interface TasmotaResult {
  readonly topic: string;
  /** Last topic segment in upper case: RESULT, STATUS, STATUS1, LWT, … */
  readonly key: string;
  readonly payload: unknown;
  readonly raw: string;
}

const linePattern = /^(\d\d:\d\d:\d\d(?:\.\d{3})?) ([A-Z0-9]{3}): (.*)$/;
const resultPattern = /^(\S+) = (.*)$/;

/** Parses a console line; undefined when it is not in Tasmota's log format. */
export const parseTasmotaLine = (line: string): TasmotaLogLine | undefined => {
  const m = linePattern.exec(line.trim());
  return m ? { time: m[1] as string, source: m[2] as string, text: m[3] as string } : undefined;
};

/** The result carried by an `RSL:` or `MQT:` line, or undefined for other lines. */
export const parseTasmotaResult = (line: TasmotaLogLine): TasmotaResult | undefined => {
  if (line.source !== 'RSL' && line.source !== 'MQT') return undefined;
  const m = resultPattern.exec(line.text);
  if (!m) return undefined;
  const topic = m[1] as string;
  const raw = (m[2] as string).replace(/ \(retained\)$/, '');
  let payload: unknown = raw;
  if (raw.startsWith('{')) {
    try {
      payload = JSON.parse(raw);
    } catch {
      payload = raw;
    }
  }
  return { topic, key: (topic.split('/').pop() ?? topic).toUpperCase(), payload, raw };
};

/** What `Status 0` tells about a Tasmota device. */
export interface TasmotaStatus {
  readonly deviceName?: string;
  readonly topic?: string;
  readonly version?: string;
  readonly hardware?: string;
  readonly mac?: string;
  readonly ip?: string;
  readonly hostname?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Reads the fields the app needs from merged Status 0 JSON (Status, StatusFWR, StatusNET). */
export const readTasmotaStatus = (merged: Record<string, unknown>): TasmotaStatus => {
  const status = obj(merged.Status);
  const fwr = obj(merged.StatusFWR);
  const net = obj(merged.StatusNET);
  const friendly = Array.isArray(status.FriendlyName) ? str(status.FriendlyName[0]) : undefined;
  const fields: Record<string, string | undefined> = {
    deviceName: str(status.DeviceName) ?? friendly,
    topic: str(status.Topic),
    version: str(fwr.Version),
    hardware: str(fwr.Hardware),
    mac: str(net.Mac),
    ip: str(net.IPAddress),
    hostname: str(net.Hostname),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as TasmotaStatus;
};
