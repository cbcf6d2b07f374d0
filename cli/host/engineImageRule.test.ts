/**
 * The model's image rule end to end in the engine: a tiny Abstractor model converted with its config.yaml
 * (DQ495K_Abstractor's 1024 / 2048) sees a 500 × 300 picture as it is, where DepictQA-Wild's 224 / 672 would
 * shrink it; its answer equals the references' fed that picture preprocessed by the same rule.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { softmaxAt } from '../../src/core/generation/sampler.ts';
import { DEPICTQA_WILD_RULE, type ResizeRule } from '../../src/core/vision/resizeRule.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import { nodeOrt } from './ortNode.ts';
import { createNodeEngine } from './nodeHost.ts';
import { referencePromptEmbeds } from './testing/promptEmbeds.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle, mergedWeights, referenceFor, visionReferenceFor, type TinyBundle } from './testing/tinyBundle.ts';

const ABSTRACTOR_RULE: ResizeRule = { resizeShortSide: 1024, resizeLongSide: 2048, minPaddedSide: 70, patchSize: 14 };

let root: string;
let abstractor: TinyBundle;
let plain: TinyBundle;
let photo: ImageInput;
const engines: Engine[] = [];

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-image-rule-'));
  abstractor = await buildTinyBundle(join(root, 'abstractor'), ['fp32'], { seed: 8, vision: true, abstractor: true });
  plain = await buildTinyBundle(join(root, 'plain'), ['fp32'], { seed: 8, vision: true });
  photo = await randomPng('photo.png', 500, 300, 4);
}, 180_000);

afterAll(async () => {
  for (const engine of engines) await engine.unload();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

async function loaded(bundle: TinyBundle) {
  const engine = createNodeEngine();
  engines.push(engine);
  return { engine, model: await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant: 'fp32', maxContext: 256 }) };
}

describe("the model's image rule in the engine", () => {
  it('resizes by the manifest’s rule: 500 × 300 as it is for 1024 / 2048 (22 × 36 patches), to 373 × 224 for 224 / 672', async () => {
    const withAbstractor = await loaded(abstractor);
    expect(withAbstractor.model.imageRule).toEqual(ABSTRACTOR_RULE);
    expect(await withAbstractor.engine.encodeImage(photo)).toMatchObject({ grid: { height: 22, width: 36 }, rows: 64 });
    const wild = await loaded(plain);
    expect(wild.model.imageRule).toEqual(DEPICTQA_WILD_RULE);
    expect(await wild.engine.encodeImage(photo)).toMatchObject({ grid: { height: 16, width: 27 }, rows: 16 * 27 });
  }, 60_000);

  it('answers as the references do when they are fed the picture preprocessed by the 1024 / 2048 rule', async () => {
    const { engine } = await loaded(abstractor);
    const id = (await engine.encodeImage(photo)).id;
    const result = await engine.generate({ task: 'description', images: { a: id }, question: { index: 0 }, maxNewTokens: 6 });
    expect(result.prompt.segments.filter((segment) => 'image' in segment)).toEqual([{ image: 'a', rows: 64 }]);
    const llama = referenceFor(abstractor, await mergedWeights(abstractor), 'fp32');
    const vision = await visionReferenceFor(abstractor, 'fp32');
    const rows = {
      text: (ids: readonly number[]) => llama.embed(ids),
      image: (pixels: { pixelValues: Float32Array; padded: { height: number; width: number } }) => vision(pixels.pixelValues, pixels.padded.height, pixels.padded.width),
    };
    const images = { reference: photo, a: photo, b: photo };
    const firstProbability = async (rule: ResizeRule) => {
      const embeds = await referencePromptEmbeds(result.prompt.segments, images, rows, rule);
      return { embeds, p: softmaxAt(llama.forwardEmbedsLast(embeds), [result.ids[0]!])[0]! };
    };
    const right = await firstProbability(ABSTRACTOR_RULE);
    expect(result.ids).toEqual(llama.greedy(right.embeds, 6));
    // A random tiny model's answer hardly depends on the picture (the 224 / 672 rule moves this probability by
    // about 5e-7), so the grid above is what tells the rules apart; this checks the whole path agrees.
    expect(Math.abs(result.probabilities[0]! - right.p)).toBeLessThan(1e-6);
  }, 60_000);
});
