import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'vite';
import { buildTinyBundle } from '../../tools/node/testing/tinyBundle.ts';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

export interface GpuHarness {
  /** The harness page. */
  pageUrl: string;
  /** The tiny bundle (q4, no vision graph), served from the same origin. */
  bundleUrl: string;
  dispose(): Promise<void>;
}

/**
 * The harness page and engine worker built with Vite as the app is built, and the tiny bundle converted by the
 * real converter, served from one cross-origin-isolated origin on 127.0.0.1. Seconds on two cores.
 */
export async function startGpuHarness(): Promise<GpuHarness> {
  const root = await mkdtemp(join(tmpdir(), 'depictqa-gpu-e2e-'));
  const site = join(root, 'site');
  const [bundle] = await Promise.all([
    buildTinyBundle(join(root, 'model'), ['q4'], { seed: 7 }),
    build({
      configFile: false,
      root: resolve(import.meta.dirname),
      base: './',
      logLevel: 'warn',
      publicDir: false,
      worker: { format: 'es' },
      build: { outDir: site, emptyOutDir: true, target: 'es2022', minify: false },
    }),
  ]);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const [base, rest] = path.startsWith('/bundle/') ? [bundle.bundleDir, path.slice('/bundle/'.length)] : [site, path.slice(1) || 'index.html'];
    const file = normalize(join(base, rest));
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    if (!file.startsWith(base)) return void response.writeHead(403, headers).end();
    readFile(file).then(
      (body) => response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404, headers).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the harness server has no port');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    pageUrl: `${origin}/index.html`,
    bundleUrl: `${origin}/bundle/`,
    async dispose() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await rm(root, { recursive: true, force: true });
    },
  };
}
