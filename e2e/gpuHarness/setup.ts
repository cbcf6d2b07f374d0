import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyBundle } from '../../cli/host/testing/tinyBundle.ts';
import { buildPage } from '../../tools/browser/buildPage.ts';
import { serveStatic } from '../../tools/browser/staticServer.ts';

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
    buildPage(import.meta.dirname, site, { minify: false }),
  ]);
  const server = await serveStatic({ folders: { '/bundle/': bundle.bundleDir, '/': site } });
  const origin = server.origin;
  return {
    pageUrl: `${origin}/index.html`,
    bundleUrl: `${origin}/bundle/`,
    async dispose() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
