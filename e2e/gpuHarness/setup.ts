import { join } from 'node:path';
import { buildTinyBundle } from '../../cli/host/testing/tinyBundle.ts';
import { startHarnessSite, type HarnessSite } from '../../tools/browser/harness/site.ts';

export interface GpuHarness extends HarnessSite {
  /** The tiny bundle (q4, no vision graph), served from the same origin. */
  bundleUrl: string;
}

/**
 * The harness page and engine worker built with Vite as the app is built, and the tiny bundle converted by the
 * real converter, served from one cross-origin-isolated origin on 127.0.0.1. Seconds on two cores.
 */
export async function startGpuHarness(): Promise<GpuHarness> {
  const site = await startHarnessSite({
    page: import.meta.dirname,
    name: 'depictqa-gpu-e2e',
    minify: false,
    prepare: async (root) => ({ '/bundle/': (await buildTinyBundle(join(root, 'model'), ['q4'], { seed: 7 })).bundleDir }),
  });
  return { ...site, bundleUrl: `${site.origin}/bundle/` };
}
