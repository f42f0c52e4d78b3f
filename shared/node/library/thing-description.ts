/**
 * Reads a Thing Description or Thing Model for import, from a file or an http(s) URL, with the
 * Thing Models it links to (`tm:extends`, `tm:ref`): from the same folder tree for a file,
 * fetched beforehand for a URL. Everything read is bounded in size and count.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { LoadedModel, LoadModel } from '../../core/model/wot/thing-model';
import { MAX_MODEL_FILE_BYTES } from './load';

/** Most linked Thing Models fetched for one URL import. */
const MAX_LINKED = 20;
const FETCH_TIMEOUT_MS = 15_000;

/** A TD or TM ready to import, or why it could not be read. */
export type ReadThingDescription =
  { json: unknown; file: string; url?: string; load: LoadModel } | { error: string };

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** GETs a JSON document, refusing more than the model file limit. */
const fetchJson = async (url: string): Promise<unknown> => {
  const response = await fetch(url, {
    headers: { accept: 'application/td+json, application/tm+json, application/json' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_MODEL_FILE_BYTES) throw new Error(`it is ${declared} bytes; at most 1 MB is read`);
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const part = await reader?.read();
    if (!part || part.done) break;
    size += part.value.byteLength;
    if (size > MAX_MODEL_FILE_BYTES) {
      await reader?.cancel();
      throw new Error('it is larger than 1 MB');
    }
    chunks.push(part.value);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

/** The documents a Thing Model links to: tm:extends hrefs and the file part of tm:ref pointers. */
const linksOf = (json: unknown): string[] => {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 12 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.slice(0, 500).forEach((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    if (typeof o['tm:ref'] === 'string') {
      const doc = o['tm:ref'].split('#')[0]!;
      if (doc) out.add(doc);
    }
    if (o.rel === 'tm:extends' && typeof o.href === 'string') out.add(o.href.split('#')[0]!);
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  walk(json, 0);
  return [...out];
};

/** Reads `source` (a path or an http(s) URL) and what it links to; never throws. */
export const readThingDescription = async (source: string): Promise<ReadThingDescription> => {
  if (isUrl(source)) {
    let json: unknown;
    try {
      json = await fetchJson(source);
    } catch (error) {
      return { error: `${source}: cannot be read as a Thing Description: ${(error as Error).message}` };
    }
    // Linked models are fetched now, so the import (which is synchronous) can read them.
    const fetched = new Map<string, unknown>([[source, json]]);
    const queue = linksOf(json).map((href) => ({ href, from: source }));
    while (queue.length && fetched.size <= MAX_LINKED) {
      const { href, from } = queue.shift()!;
      let url: string;
      try {
        url = new URL(href, from).href;
      } catch {
        continue;
      }
      if (fetched.has(url) || !isUrl(url)) continue;
      try {
        const linked = await fetchJson(url);
        fetched.set(url, linked);
        queue.push(...linksOf(linked).map((h) => ({ href: h, from: url })));
      } catch {
        fetched.set(url, undefined);
      }
    }
    const load: LoadModel = (href, from) => {
      try {
        const url = new URL(href, from ?? source).href;
        const linked = fetched.get(url);
        return linked === undefined ? undefined : { id: url, json: linked };
      } catch {
        return undefined;
      }
    };
    return { json, file: source, url: source, load };
  }
  const path = resolve(source);
  try {
    const info = await stat(path);
    if (info.size > MAX_MODEL_FILE_BYTES)
      return {
        error: `${path}: is ${(info.size / 1048576).toFixed(1)} MB; a Thing Description is at most 1 MB here.`,
      };
    const json = JSON.parse(await readFile(path, 'utf8')) as unknown;
    const folder = dirname(path);
    // Linked models are read from the imported file's folder tree only.
    const load: LoadModel = (href, from): LoadedModel | undefined => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return undefined;
      const target = resolve(dirname(from ?? path), href);
      if (relative(folder, target).startsWith('..')) return undefined;
      try {
        if (statSync(target).size > MAX_MODEL_FILE_BYTES) return undefined;
        return { id: target, json: JSON.parse(readFileSync(target, 'utf8')) };
      } catch {
        return undefined;
      }
    };
    return { json, file: path, load };
  } catch (error) {
    return { error: `${path}: cannot be read as JSON: ${(error as Error).message}` };
  }
};
