import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export interface CheckServer {
  origin: string;
  /** Where the bundle is served (a URL prefix ending in '/'). */
  bundleUrl: string;
  close(): Promise<void>;
}

/** One cross-origin-isolated origin serving the check page at / and the bundle under /bundle/. */
export async function serveCheck(siteDir: string, bundleDir: string, onMissing?: (path: string) => void): Promise<CheckServer> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const [base, rest] = path.startsWith('/bundle/') ? [bundleDir, path.slice('/bundle/'.length)] : [siteDir, path.slice(1) || 'index.html'];
    const file = normalize(join(base, rest));
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    if (!file.startsWith(base)) return void response.writeHead(403, headers).end();
    readFile(file).then(
      (body) => response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => {
        onMissing?.(path);
        response.writeHead(404, headers).end();
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the check server has no port');
  const origin = `http://127.0.0.1:${address.port}`;
  return { origin, bundleUrl: `${origin}/bundle/`, close: () => new Promise((done) => server.close(() => done())) };
}
