/**
 * The token-identity check of the engine: the same tiny bundle, images and questions answered greedily by the
 * engine in Node (onnxruntime-web's wasm EP) and in headless Chromium (wasm EP and WebGPU), token for token.
 * This module prepares everything on the Node side; `browserCheck.ts` (a table) and `e2e/engineIdentity.spec.ts`
 * (part of `npm test`) drive the browser with it.
 */
import { join, resolve } from 'node:path';
import type { ImageSlotId } from '../../src/core/tasks.ts';
import type { CheckRequest } from './browser/protocol.ts';
import { buildPage } from '../browser/buildPage.ts';
import { createNodeEngine } from '../../cli/host/nodeHost.ts';
import { fixedRowsEncoder } from '../../cli/host/testing/fixedRowsEncoder.ts';
import { randomPng } from '../../cli/host/testing/testImages.ts';
import { buildTinyBundle } from '../../cli/host/testing/tinyBundle.ts';
import { expectedKey, IDENTITY_CONFIGS, IDENTITY_REQUESTS, type IdentityFixtures } from './configs.ts';

/** Builds the tiny bundle (q4 + fp32, with vision), the check page and the images under `root`, and answers in Node. */
export async function prepareIdentityFixtures(root: string): Promise<IdentityFixtures> {
  const siteDir = join(root, 'site');
  const page = buildPage(resolve(import.meta.dirname, './browser'), siteDir);
  const bundle = await buildTinyBundle(join(root, 'model'), ['q4', 'fp32'], { vision: true });
  const images = {} as CheckRequest['images'];
  // Small images keep the prompts short: 70×70 is 5×5 rows.
  for (const [slot, size, seed] of [['reference', 70, 1], ['a', 84, 2], ['b', 98, 3]] as const) images[slot] = await randomPng(`${slot}.png`, size, 70, seed);

  const expected: Record<string, number[][]> = {};
  for (const config of IDENTITY_CONFIGS) {
    const key = expectedKey(config);
    if (expected[key] !== undefined) continue;
    const engine = createNodeEngine(config.rows === 'fixed' ? { imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize) } : {});
    await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant: config.variant, maxContext: 512 });
    const ids = {} as Record<ImageSlotId, string>;
    for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
    expected[key] = [];
    for (const ask of IDENTITY_REQUESTS) expected[key].push((await engine.generate({ ...ask, images: ids })).ids);
    await engine.unload();
  }
  await page;
  const plainImages = Object.fromEntries(
    Object.entries(images).map(([slot, image]) => [slot, { name: image.name, bytes: Array.from(image.bytes) }]),
  ) as IdentityFixtures['images'];
  return { siteDir, bundleDir: bundle.bundleDir, images: plainImages, expected };
}
