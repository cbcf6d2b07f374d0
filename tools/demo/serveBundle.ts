import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Plugin } from 'vite';

/** Where the dev server serves the demo bundle. */
export const DEMO_BUNDLE_PATH = '/demo-bundle/';

const TYPES: Record<string, string> = { '.json': 'application/json', '.txt': 'text/plain; charset=utf-8' };

/**
 * Serves one bundle folder from the Vite dev server at `DEMO_BUNDLE_PATH`, with the headers Vite gives the app
 * (`server.headers` in vite.config.ts: COOP/COEP), so the page fetches it as it would from its own origin.
 * The app's own origin, not a second server: no CORS, one URL to print.
 */
export function demoBundlePlugin(bundleDir: string): Plugin {
  return {
    name: 'depictqa-demo-bundle',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        if (!path.startsWith(DEMO_BUNDLE_PATH)) return next();
        serveBundleFile(bundleDir, decodeURIComponent(path.slice(DEMO_BUNDLE_PATH.length)), request, response, server.config.server.headers ?? {}).catch(next);
      });
    },
  };
}

/**
 * Answers GET/HEAD for `relativePath` inside `bundleDir`, as static hosts do: Content-Length, `Range: bytes=N-`
 * and `bytes=N-M` (the loader resumes with them), 416 past the end, 404 for anything else (never the app's
 * index.html, which a dev server sends for unknown paths and which would read as a broken manifest).
 */
export async function serveBundleFile(
  bundleDir: string,
  relativePath: string,
  request: IncomingMessage,
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
): Promise<void> {
  const send = (status: number, extra: OutgoingHttpHeaders, body = '') => void response.writeHead(status, { ...headers, ...extra }).end(body);
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, { Allow: 'GET, HEAD' });
  const file = normalize(join(bundleDir, relativePath));
  const size = file.startsWith(normalize(bundleDir) + sep) ? await fileSize(file) : null;
  if (size === null) return send(404, { 'Content-Type': 'text/plain' }, 'not found');

  const base = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-cache' };
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
  let start = 0;
  let end = size; // exclusive
  let status = 200;
  const extra: OutgoingHttpHeaders = {};
  if (range !== null) {
    start = Number(range[1]);
    if (start >= size) return send(416, { 'Content-Range': `bytes */${size}` });
    end = range[2] === '' ? size : Math.min(size, Number(range[2]) + 1);
    status = 206;
    extra['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
  }
  response.writeHead(status, { ...headers, ...base, ...extra, 'Content-Length': end - start });
  if (request.method === 'HEAD' || end === start) return void response.end();
  createReadStream(file, { start, end: end - 1 })
    .on('error', (error) => response.destroy(error))
    .pipe(response);
}

async function fileSize(path: string): Promise<number | null> {
  const stats = await stat(path).catch(() => null);
  return stats?.isFile() === true ? stats.size : null;
}
