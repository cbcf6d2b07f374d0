/**
 * The one static file server of the demo, the tests, benches and checks that drive Chromium: folders and inline
 * pages on one cross-origin-isolated origin on 127.0.0.1 (as the app is served, so that onnxruntime-web may use
 * SharedArrayBuffer); files are streamed with their length and byte ranges, as static hosts serve them.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';

/** The headers that make a page cross-origin isolated, as `vite preview` and `public/_headers` send them. */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

export interface LocalServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Ends open connections too, so that a held or streaming answer does not keep the server up. */
  close(): Promise<void>;
}

/** A server on a free port of 127.0.0.1; a handler's failure answers 500. */
export async function listenLocal(handler: (request: IncomingMessage, response: ServerResponse) => Promise<void> | void): Promise<LocalServer> {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the local server has no port');
  return {
    server,
    origin: `http://127.0.0.1:${address.port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

/**
 * Answers GET/HEAD for `relativePath` inside `root` as static hosts do: Content-Length, `Range: bytes=N-` and
 * `bytes=N-M` (the loader resumes with them), 416 past the end. Anything else, a path out of `root` included,
 * is answered 404 and returns false.
 */
export async function sendFile(root: string, relativePath: string, request: IncomingMessage, response: ServerResponse, headers: OutgoingHttpHeaders): Promise<boolean> {
  const send = (status: number, extra: OutgoingHttpHeaders, body = '') => void response.writeHead(status, { ...headers, ...extra }).end(body);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(405, { Allow: 'GET, HEAD' });
    return true;
  }
  const file = normalize(join(root, relativePath));
  const info = file.startsWith(normalize(root) + sep) ? await stat(file).catch(() => null) : null;
  if (info === null || !info.isFile()) {
    send(404, { 'Content-Type': 'text/plain' }, 'not found');
    return false;
  }
  const size = info.size;
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
  let start = 0;
  let end = size; // exclusive
  let status = 200;
  const extra: OutgoingHttpHeaders = { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  if (range !== null) {
    start = Number(range[1]);
    if (start >= size) {
      send(416, { 'Content-Range': `bytes */${size}` });
      return true;
    }
    end = range[2] === '' ? size : Math.min(size, Number(range[2]) + 1);
    status = 206;
    extra['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
  }
  response.writeHead(status, { ...headers, ...extra, 'Content-Length': end - start });
  if (request.method === 'HEAD' || end === start) {
    response.end();
    return true;
  }
  createReadStream(file, { start, end: end - 1 })
    .on('error', (error) => response.destroy(error))
    .pipe(response);
  return true;
}

export interface StaticServerOptions {
  /** Folders by URL prefix, e.g. `{ '/bundle/': bundleDir, '/': siteDir }`; the longest matching prefix serves. */
  folders: Record<string, string>;
  /** Inline pages by exact path, e.g. `{ '/': html }`; they win over the folders. */
  pages?: Record<string, string>;
  /** Told of each path answered 404. */
  onMissing?: (path: string) => void;
}

/** Serves folders (a folder's own path: its index.html) and inline pages, cross-origin isolated and never cached. */
export function serveStatic(options: StaticServerOptions): Promise<LocalServer> {
  const prefixes = Object.keys(options.folders).sort((a, b) => b.length - a.length);
  const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' };
  return listenLocal(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const page = options.pages?.[path];
    if (page !== undefined) return void response.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
    const prefix = prefixes.find((candidate) => path.startsWith(candidate));
    const found = prefix === undefined ? false : await sendFile(options.folders[prefix]!, path.slice(prefix.length) || 'index.html', request, response, headers);
    if (found) return;
    if (prefix === undefined) response.writeHead(404, headers).end();
    options.onMissing?.(path);
  });
}

/** onnxruntime-web's dist folder (its .mjs and .wasm files), for a page that loads the runtime without a bundler. */
export function onnxRuntimeWebDir(): string {
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm'));
}
