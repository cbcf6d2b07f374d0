import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPage } from '../../tools/browser/buildPage.ts';
import { buildTinyBundle } from '../../cli/host/testing/tinyBundle.ts';

const here = import.meta.dirname;

export interface BundleFixtures {
  root: string;
  /** The built harness page and worker. */
  harnessDir: string;
  /** The tiny model converted by the real converter (q4 and fp32). */
  bundleDir: string;
  dispose(): Promise<void>;
}

/**
 * What the bundle loader's browser tests need, made fresh in a temporary folder: the tiny model in its
 * original formats, converted to a web bundle, and the harness page built with Vite (the loader's real
 * modules, bundled as the app bundles them). About 5 s on two cores.
 */
export async function prepareBundleFixtures(): Promise<BundleFixtures> {
  const root = await mkdtemp(join(tmpdir(), 'depictqa-bundle-e2e-'));
  const harnessDir = join(root, 'harness');
  // The loader starts a helper worker (workers/blobReader.worker.ts) to read weights in parts; buildPage bundles it too.
  const buildHarness = buildPage(here, harnessDir, { minify: false });
  const { bundleDir } = await buildTinyBundle(root, ['q4', 'fp32'], { seed: 5 });
  await buildHarness;
  return { root, harnessDir, bundleDir, dispose: () => rm(root, { recursive: true, force: true }) };
}
