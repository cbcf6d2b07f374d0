import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPage } from '../../tools/browser/buildPage.ts';
import { serveStatic } from '../../tools/browser/staticServer.ts';

export interface PixelsHarness {
  pageUrl: string;
  dispose(): Promise<void>;
}

/** The harness page and its worker, built with Vite as the app is built, on one cross-origin-isolated origin. */
export async function startPixelsHarness(): Promise<PixelsHarness> {
  const root = await mkdtemp(join(tmpdir(), 'depictqa-pixels-e2e-'));
  await buildPage(import.meta.dirname, root, { minify: false });
  const server = await serveStatic({ folders: { '/': root } });
  return {
    pageUrl: `${server.origin}/index.html`,
    async dispose() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
