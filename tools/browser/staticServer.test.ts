import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type LocalServer } from './staticServer.ts';

let root: string;
let server: LocalServer;
const missing: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'static-server-'));
  await mkdir(join(root, 'site'));
  await mkdir(join(root, 'bundle'));
  await writeFile(join(root, 'site/index.html'), '<p>site');
  await writeFile(join(root, 'bundle/manifest.json'), '{}');
  server = await serveStatic({ folders: { '/bundle/': join(root, 'bundle'), '/': join(root, 'site') }, pages: { '/page': '<p>inline' }, onMissing: (path) => missing.push(path) });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('serveStatic', () => {
  it('serves folders by longest prefix and inline pages, cross-origin isolated', async () => {
    for (const [path, body, type] of [
      ['/', '<p>site', 'text/html'],
      ['/bundle/manifest.json', '{}', 'application/json'],
      ['/page', '<p>inline', 'text/html'],
    ] as const) {
      const response = await fetch(`${server.origin}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(type);
      expect(response.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
      expect(await response.text(), path).toBe(body);
    }
  });

  it('answers 404 for missing files and paths out of the folder, and says which', async () => {
    for (const path of ['/bundle/absent.json', '/bundle/..%2F..%2Fsecret']) expect((await fetch(`${server.origin}${path}`)).status, path).toBe(404);
    expect(missing).toEqual(['/bundle/absent.json', '/bundle/../../secret']);
  });
});
