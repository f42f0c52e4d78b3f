import { extname, join, normalize, sep } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Maps an `app://fieldgraph/<path>` request to a file of the built renderer, or null when the
 * path would leave that folder. Unknown extensionless paths serve index.html (the app routes itself).
 */
export const resolveAppFile = (
  rendererDir: string,
  requestUrl: string,
): { file: string; type: string } | null => {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  const relative = normalize(pathname).replace(/^([/\\])+/, '') || 'index.html';
  const file = join(rendererDir, extname(relative) ? relative : 'index.html');
  if (!file.startsWith(rendererDir + sep)) return null;
  return { file, type: types[extname(file)] ?? 'application/octet-stream' };
};
