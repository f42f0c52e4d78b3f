/**
 * The zip container of a package, written and read by hand (over fflate's raw DEFLATE) so
 * that (1) the same files give byte-identical archives in every time zone — fflate's own zip
 * writer stamps local time — and (2) the reader sees every header field an attacker controls
 * (declared sizes, entry count, Unix mode bits) and refuses unsafe archives before inflating.
 */
import { deflateSync, inflateSync } from 'fflate';
import { FieldgraphError } from '../errors';
import { fromUtf8, utf8 } from './bytes';

/** Limits a reader enforces against zip bombs; all sizes in bytes. */
export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio accepted for entries above `ratioFloorBytes`. */
  readonly maxRatio: number;
  readonly ratioFloorBytes: number;
}

/** Limits sized for site packages: thousands of flows fit, a bomb does not. */
export const defaultZipLimits: ZipLimits = {
  maxEntries: 4096,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (zip polynomial) of bytes. */
export const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** One entry to write; `mode` lets tests plant symlinks and odd modes. */
export interface ZipInput {
  readonly name: string;
  readonly data: Uint8Array;
  /** Unix mode bits stored in the external attributes (default 0o100644, a regular file). */
  readonly mode?: number;
  /** Stored instead of deflated (method 0). */
  readonly store?: boolean;
  /** Overrides the declared uncompressed size (tests: lying headers). */
  readonly declaredSize?: number;
}

// DOS date 1980-01-01 00:00: the earliest a zip can hold, the same everywhere.
const DOS_DATE = 0x0021;
const DOS_TIME = 0;
const UTF8_FLAG = 0x0800;

/**
 * Writes entries in the given order with fixed timestamps and deflate level 6, so identical
 * input gives identical bytes; callers sort names when they want a canonical archive.
 */
export const writeZip = (entries: readonly ZipInput[]): Uint8Array => {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = utf8(entry.name);
    const body = entry.store ? entry.data : deflateSync(entry.data, { level: 6 });
    const method = entry.store ? 0 : 8;
    const crc = crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, UTF8_FLAG, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, DOS_TIME, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, (3 << 8) | 20, true); // made by Unix, so the mode bits below mean something
    cv.setUint16(6, 20, true);
    cv.setUint16(8, UTF8_FLAG, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, DOS_TIME, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, ((entry.mode ?? 0o100644) << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const corrupt = (message: string): FieldgraphError =>
  new FieldgraphError(
    'package.corrupt',
    `${message} The file is damaged or is not a Fieldgraph package; pack it again.`,
  );

const bomb = (message: string, details: Record<string, unknown>): FieldgraphError =>
  new FieldgraphError('package.zip_bomb', `${message} The package was refused before unpacking.`, details);

/** Why a name cannot be unpacked safely, or undefined when it can. */
export const unsafeNameReason = (name: string): string | undefined => {
  if (name.length === 0) return 'an empty name';
  if (name.includes('\\')) return 'a backslash';
  if (name.includes('\0')) return 'a NUL character';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  if (name.split('/').some((part) => part === '..' || part === '.' || part === ''))
    return 'a "..", "." or empty path segment';
  return undefined;
};

// Inflates into a buffer one byte larger than declared: fflate never grows a given buffer, so
// memory stays bounded by the (already limit-checked) declared size, and a full buffer means
// the entry holds more than its header admits.
const inflateCapped = (compressed: Uint8Array, declared: number, name: string): Uint8Array => {
  let out: Uint8Array;
  try {
    out = inflateSync(compressed, { out: new Uint8Array(declared + 1) });
  } catch (error) {
    throw corrupt(`"${name}" cannot be inflated (${(error as Error).message}).`);
  }
  if (out.length > declared) {
    throw bomb(`"${name}" inflates past its declared size of ${declared} bytes.`, { entry: name, declared });
  }
  return out;
};

/**
 * Reads a zip into a name → bytes map, refusing (with its own code each) unsafe names
 * (`package.unsafe_path`), symlink entries (`package.symlink_entry`), archives over the
 * limits or whose entries inflate past their declared size (`package.zip_bomb`), and damaged
 * archives (`package.corrupt`). Nothing is inflated until every header has passed.
 */
export const readZip = (zip: Uint8Array, limits: ZipLimits = defaultZipLimits): Map<string, Uint8Array> => {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('No zip directory was found.');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count > limits.maxEntries) {
    throw bomb(`The archive has ${count} entries; at most ${limits.maxEntries} are allowed.`, {
      entries: count,
    });
  }
  if (cdOffset + cdSize > eocd) throw corrupt('The zip directory points outside the file.');
  interface Header {
    name: string;
    method: number;
    crc: number;
    compressed: number;
    size: number;
    localOffset: number;
  }
  const headers: Header[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== 0x02014b50)
      throw corrupt('A zip directory entry is damaged.');
    const madeBy = view.getUint16(p + 4, true) >> 8;
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const external = view.getUint32(p + 38, true);
    const localOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLength > eocd) throw corrupt('A zip directory entry is damaged.');
    const name = fromUtf8(zip.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
    const unsafe = unsafeNameReason(name);
    if (unsafe) {
      throw new FieldgraphError(
        'package.unsafe_path',
        `The entry "${name}" has ${unsafe} and could write outside the install folder; the package was refused.`,
        { entry: name },
      );
    }
    const fileType = (external >>> 16) & 0o170000;
    if (madeBy === 3 && fileType === 0o120000) {
      throw new FieldgraphError(
        'package.symlink_entry',
        `The entry "${name}" is a symbolic link; packages may hold only regular files. The package was refused.`,
        { entry: name },
      );
    }
    if (madeBy === 3 && fileType !== 0 && fileType !== 0o100000) {
      throw new FieldgraphError(
        'package.unsafe_path',
        `The entry "${name}" is not a regular file; the package was refused.`,
        {
          entry: name,
        },
      );
    }
    if (flags & 0x1) throw corrupt(`The entry "${name}" is encrypted.`);
    if (method !== 0 && method !== 8) throw corrupt(`The entry "${name}" uses compression method ${method}.`);
    if (seen.has(name)) throw corrupt(`The entry "${name}" appears twice.`);
    seen.add(name);
    if (size > limits.maxEntryBytes) {
      throw bomb(`"${name}" declares ${size} bytes; at most ${limits.maxEntryBytes} are allowed per file.`, {
        entry: name,
        declared: size,
      });
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw bomb(`The files declare more than ${limits.maxTotalBytes} bytes in total.`, {
        declaredTotal: total,
      });
    }
    if (size > limits.ratioFloorBytes && size > compressed * limits.maxRatio) {
      throw bomb(
        `"${name}" expands ${Math.round(size / Math.max(1, compressed))}:1; at most ${limits.maxRatio}:1 is allowed.`,
        {
          entry: name,
          declared: size,
          compressed,
        },
      );
    }
    if (method === 0 && compressed !== size)
      throw corrupt(`The stored entry "${name}" has mismatched sizes.`);
    headers.push({ name, method, crc, compressed, size, localOffset });
  }
  const out = new Map<string, Uint8Array>();
  for (const h of headers) {
    if (h.localOffset + 30 > cdOffset || view.getUint32(h.localOffset, true) !== 0x04034b50) {
      throw corrupt(`The entry "${h.name}" points at a damaged header.`);
    }
    const start =
      h.localOffset +
      30 +
      view.getUint16(h.localOffset + 26, true) +
      view.getUint16(h.localOffset + 28, true);
    if (start + h.compressed > cdOffset)
      throw corrupt(`The entry "${h.name}" runs past the end of the data.`);
    const raw = zip.subarray(start, start + h.compressed);
    const data = h.method === 0 ? raw.slice() : inflateCapped(raw, h.size, h.name);
    if (data.length !== h.size) throw corrupt(`The entry "${h.name}" is shorter than its header says.`);
    if (crc32(data) !== h.crc) throw corrupt(`The entry "${h.name}" fails its checksum.`);
    out.set(h.name, data);
  }
  return out;
};
