import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BUNDLE_PATH, demoBundlePlugin } from './serveBundle.ts';

/** The demo bundle through the real dev server of vite.config.ts: the app's headers, ranges, and 404s that are not the app. */
let root: string;
let server: ViteDevServer;
let origin: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'demo-serve-'));
  await mkdir(join(root, 'bundle/onnx'), { recursive: true });
  await writeFile(join(root, 'bundle/manifest.json'), '{"schemaVersion": 1}\n');
  await writeFile(join(root, 'bundle/onnx/weights.onnx_data'), Uint8Array.from({ length: 100 }, (_, i) => i));
  await writeFile(join(root, 'secret.txt'), 'outside the bundle');
  server = await createServer({
    root: resolve(import.meta.dirname, '../..'),
    plugins: [demoBundlePlugin(join(root, 'bundle'))],
    server: { host: '127.0.0.1', port: 0, ws: false },
    optimizeDeps: { noDiscovery: true, include: [] },
    logLevel: 'silent',
  });
  await server.listen();
  origin = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${origin}${DEMO_BUNDLE_PATH}${path}`, { headers });

describe('demoBundlePlugin', () => {
  it('serves the manifest with the app’s cross-origin isolation headers', async () => {
    const response = await get('manifest.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ schemaVersion: 1 });
  });

  it('answers Range requests as a static host does', async () => {
    const tail = await get('onnx/weights.onnx_data', { Range: 'bytes=90-' });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe('bytes 90-99/100');
    expect([...new Uint8Array(await tail.arrayBuffer())]).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect((await get('onnx/weights.onnx_data', { Range: 'bytes=100-' })).status).toBe(416);
  });

  it('says 404 for a missing file or a path out of the folder, never the app’s page', async () => {
    for (const path of ['missing.json', '..%2Fsecret.txt', '']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toBe('not found');
    }
  });
});
