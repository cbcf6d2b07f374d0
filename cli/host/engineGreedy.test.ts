import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { GenerateResult } from '../../src/core/engine/generate.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { softmaxAt } from '../../src/core/generation/sampler.ts';
import { upstreamTaskPrompts } from '../../src/core/prompt/testing/upstreamFixture.ts';
import { DEPICTQA_WILD_RULE } from '../../src/core/vision/resizeRule.ts';
import { IMAGE_SLOTS, slotsRead, type ImageSlotId, type TaskId } from '../../src/core/tasks.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';
import { nodeOrt } from './ortNode.ts';
import type { LlamaReference } from '../../tools/oracles/llama.ts';
import { createNodeEngine } from './nodeHost.ts';
import { fixedRowsEncoder } from './testing/fixedRowsEncoder.ts';
import { referencePromptEmbeds } from './testing/promptEmbeds.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle, mergedWeights, referenceFor, type TinyBundle } from './testing/tinyBundle.ts';

const NEW_TOKENS = 8;

let root: string;
let bundle: TinyBundle;
let merged: Map<string, DenseTensor>;
const images = {} as Record<ImageSlotId, ImageInput>;
const engines = new Map<BundleVariant, Engine>();
const ids = {} as Record<ImageSlotId, string>;

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-engine-'));
  bundle = await buildTinyBundle(root, ['fp32', 'q4']);
  merged = await mergedWeights(bundle);
  // Three sizes, so that every image has its own row count: 30, 35 and 36 rows.
  images.reference = await randomPng('reference.png', 70, 84, 1);
  images.a = await randomPng('a.png', 98, 70, 2);
  images.b = await randomPng('b.png', 84, 84, 3);
  for (const variant of ['fp32', 'q4'] as const) {
    const engine = createNodeEngine({ imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize) });
    await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant, maxContext: 512 });
    for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
    engines.set(variant, engine);
  }
}, 120_000);

afterAll(async () => {
  for (const engine of engines.values()) await engine.unload();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

function request(task: TaskId, hasReference: boolean, maxNewTokens: number) {
  const slots = slotsRead(task, hasReference ? IMAGE_SLOTS : ['a', 'b']);
  return { task, images: Object.fromEntries(slots.map((slot) => [slot, ids[slot]])), question: { index: 0 }, maxNewTokens };
}

/** The prompt's input embeddings built independently: reference table rows for text, the encoder's rows for images. */
function referenceEmbeds(reference: LlamaReference, result: GenerateResult): Promise<Float32Array> {
  const encoder = fixedRowsEncoder(bundle.config.hidden_size);
  return referencePromptEmbeds(result.prompt.segments, images, {
    text: (ids) => reference.embed(ids),
    image: async (pixels) => (await encoder.encode(pixels)).rows,
  }, DEPICTQA_WILD_RULE);
}

describe('prompt assembly in the engine', () => {
  it.each(upstreamTaskPrompts(false).map((c) => [c.kind, c.task, c] as const))('%s (%s) has the expected ids and image rows', async (_kind, _task, fixture) => {
    const engine = engines.get('fp32')!;
    const result = await engine.generate(request(fixture.task as TaskId, fixture.hasReference, 1));
    expect(result.prompt.kind).toBe(fixture.kind);
    expect(result.prompt.question).toBe(fixture.question);
    const rows: Record<ImageSlotId, number> = { reference: 30, a: 35, b: 36 };
    const segments = fixture.segments as Array<{ ids: number[] } | { image: ImageSlotId }>;
    expect(result.prompt.segments).toEqual(segments.map((segment) => ('ids' in segment ? segment : { image: segment.image, rows: rows[segment.image] })));
    const textTokens = segments.reduce((sum, segment) => sum + ('ids' in segment ? segment.ids.length : 0), 0);
    const imageRows = segments.reduce((sum, segment) => sum + ('image' in segment ? rows[segment.image] : 0), 0);
    expect(result.prompt.positions).toBe(textTokens + imageRows);
  });
});

describe('greedy decoding equals the reference forward pass', () => {
  const cases = [
    ['fp32', 'comparison', true],
    ['fp32', 'description', false],
    ['q4', 'comparison', false],
    ['q4', 'distortion', true],
  ] as const;
  it.each(cases)('%s %s (reference image: %s)', async (variant, task, hasReference) => {
    const result = await engines.get(variant)!.generate(request(task, hasReference, NEW_TOKENS));
    const reference = referenceFor(bundle, merged, variant);
    const embeds = await referenceEmbeds(reference, result);
    expect(result.ids).toEqual(reference.greedy(embeds, NEW_TOKENS));
    expect(result.stopReason).toBe(result.ids.at(-1) === 2 ? 'eos' : 'max_tokens');

    // Each token's probability is the softmax of its step's logits at the chosen (greedy: the likeliest) token.
    reference.reset();
    let logits = reference.forwardEmbedsLast(embeds);
    expect(result.probabilities).toHaveLength(result.ids.length);
    result.ids.forEach((id, step) => {
      expect(result.probabilities[step]).toBeCloseTo(softmaxAt(logits, [id])[0]!, 6);
      if (step + 1 < result.ids.length) logits = reference.forwardLast([id]);
    });
    expect(result.stats.tokensGenerated).toBe(result.ids.length);

    if (task === 'comparison') {
      // The random model does not answer "Image …", so the engine probes: ▁Image after the prompt.
      reference.reset();
      reference.forwardEmbedsLast(embeds);
      const [pA, pB] = softmaxAt(reference.forwardLast([7084]), [319, 350]) as [number, number];
      expect(result.comparison?.source).toBe('probe');
      expect(result.comparison!.pA).toBeCloseTo(pA, 6);
      expect(result.comparison!.pB).toBeCloseTo(pB, 6);
      expect(result.comparison!.normalizedRatioA).toBeCloseTo(pA / (pA + pB), 4);
    }
  });
});
