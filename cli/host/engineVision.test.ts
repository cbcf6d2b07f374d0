/**
 * The engine with the bundle's own vision graph (converted from the tiny factory's CLIP files): the rows it
 * splices and the greedy tokens it generates equal the fp32 references of the vision path and of LLaMA.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageInput } from '../../src/core/engine/images.ts';
import type { ImageSlotId } from '../../src/core/tasks.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';
import { nodeOrt } from './ortNode.ts';
import { createNodeEngine } from './nodeHost.ts';
import { referencePromptEmbeds } from './testing/promptEmbeds.ts';
import { randomSlotImages } from './testing/testImages.ts';
import { buildTinyBundle, mergedWeights, referenceFor, visionReferenceFor, type TinyBundle } from './testing/tinyBundle.ts';
import { readBundleManifest } from './folderBundle.ts';
import { resizeRuleOf } from '../../src/core/vision/resizeRule.ts';

let root: string;
let bundle: TinyBundle;
let merged: Map<string, DenseTensor>;
const images = {} as Record<ImageSlotId, ImageInput>;
const engines: Engine[] = [];

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-engine-vision-'));
  bundle = await buildTinyBundle(root, ['fp32', 'q4'], { seed: 21, vision: true });
  merged = await mergedWeights(bundle);
  Object.assign(images, await randomSlotImages({ reference: [70, 84], a: [112, 70], b: [84, 98] }, 31));
}, 120_000);

afterAll(async () => {
  for (const engine of engines) await engine.unload();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('engine with the vision graph', () => {
  it.each(['fp32', 'q4'] as const)('%s: image rows and greedy tokens equal the references', async (variant) => {
    const engine = createNodeEngine();
    engines.push(engine);
    const model = await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant, maxContext: 512 });
    expect(model.hasVisionEncoder).toBe(true);
    const ids = {} as Record<ImageSlotId, string>;
    for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
    expect((await engine.counters()).visionRuns).toBe(3);
    expect((await engine.encodeImage(images.a)).cached).toBe(true);
    expect((await engine.counters()).visionRuns).toBe(3);

    const result = await engine.generate({ task: 'reasoning', images: ids, question: { index: 0 }, maxNewTokens: 8 });
    expect(result.prompt.segments.filter((segment) => 'image' in segment)).toEqual([
      { image: 'reference', rows: 30 },
      { image: 'a', rows: 40 },
      { image: 'b', rows: 42 },
    ]);

    // The prompt rebuilt from the references: LLaMA's table for text, the vision reference for images.
    const llama = referenceFor(bundle, merged, variant);
    const vision = await visionReferenceFor(bundle, variant);
    const embeds = await referencePromptEmbeds(result.prompt.segments, images, {
      text: (ids) => llama.embed(ids),
      image: (pixels) => vision(pixels.pixelValues, pixels.padded.height, pixels.padded.width),
    }, resizeRuleOf((await readBundleManifest(bundle.bundleDir)).vision!));
    expect(result.ids).toEqual(llama.greedy(embeds, 8));
  }, 60_000);
});
