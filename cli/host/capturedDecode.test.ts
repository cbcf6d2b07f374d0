/**
 * The captured decode step (onnxruntime-web's graph capture) against the uncaptured one, on the browser's runtime
 * in Node: onnxruntime-web's WebGPU EP over Dawn on a real driver (Mesa's lavapipe in CI), q4f16 as a GPU with
 * shader-f16 picks it. Every logits row of every step, and so every token, must be the same bits either way,
 * through answers that reuse the cached prefix, prefill after decode steps, and a request on other images whose
 * prompt is longer than the first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { createSampler } from '../../src/core/generation/sampler.ts';
import { slotsRead, type ImageSlotId, type TaskId } from '../../src/core/tasks.ts';
import type { EngineHost } from '../../src/engine/EngineHost.ts';
import { dawnWebHost } from './dawnWeb.ts';
import { createNodeEngine } from './nodeHost.ts';
import { nodeOrt } from './ortNode.ts';
import { fixedRowsEncoder } from './testing/fixedRowsEncoder.ts';
import { describeOnNodeGpu } from './testing/nodeGpuSuite.ts';
import { randomSlotImages } from './testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

const NEW_TOKENS = 10;

let root: string;
let bundle: TinyBundle;
const images = {} as Record<ImageSlotId, ImageInput>;

interface Run {
  decode: unknown;
  ids: number[][];
  /** Per answer, each step's logits row as the sampler saw it. */
  rows: Float32Array[][];
  decoderRuns: number;
  /** Positions of each answer's prompt. */
  positions: number[];
}

await describeOnNodeGpu('the captured decode step on onnxruntime-web over Dawn', () => {
  beforeAll(async () => {
    await nodeOrt();
    root = await mkdtemp(join(tmpdir(), 'depictqa-captured-'));
    bundle = await buildTinyBundle(root, ['q4f16'], { seed: 7 });
    Object.assign(images, await randomSlotImages({ reference: [70, 84], a: [98, 70], b: [84, 84] }, 43));
  }, 120_000);

  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  async function answers(graphCapture: boolean): Promise<Run> {
    const rows: Float32Array[][] = [];
    const sampler: EngineHost['sampler'] = (sampling, prompt) => {
      if (prompt.questionIndex === null) return undefined;
      const own = createSampler(sampling);
      const answer: Float32Array[] = [];
      rows.push(answer);
      return {
        options: own.options,
        sample(logits, generated = []) {
          answer.push(Float32Array.from(logits));
          return own.sample(logits, generated);
        },
      };
    };
    const engine = createNodeEngine({ ...dawnWebHost(), imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize), sampler });
    try {
      const model = await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 256, graphCapture });
      expect(model).toMatchObject({ variant: 'q4f16', backend: 'webgpu' });
      const ids = {} as Record<ImageSlotId, string>;
      for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
      const tasks: Array<[TaskId, number]> = [
        ['description', 1],
        // The same images again: the prompt's image rows come from the cache, the question is prefilled after
        // the first answer's decode steps are dropped.
        ['description', 2],
        ['comparison', 1],
      ];
      const out: number[][] = [];
      const positions: number[] = [];
      const before = (await engine.counters()).decoderRuns;
      for (const [task, index] of tasks) {
        const slots = slotsRead(task, task === 'description' ? ['reference', 'a'] : ['reference', 'a', 'b']);
        const request = { task, images: Object.fromEntries(slots.map((slot) => [slot, ids[slot]])), question: { index }, maxNewTokens: NEW_TOKENS };
        const result = await engine.generate(request);
        out.push(result.ids);
        positions.push(result.prompt.positions);
      }
      return { decode: model.decode, ids: out, rows, decoderRuns: (await engine.counters()).decoderRuns - before, positions };
    } finally {
      await engine.unload();
    }
  }

  it('gives the uncaptured logits, bit for bit, at every step, and says which ran', async () => {
    const captured = await answers(true);
    const plain = await answers(false);
    expect(captured.decode).toEqual({ graphCapture: true });
    expect(plain.decode).toEqual({ graphCapture: false, reason: 'turned off' });
    expect(captured.ids).toEqual(plain.ids);
    expect(captured.decoderRuns).toBe(plain.decoderRuns);
    // Each answer ran decode steps after its prefill; the comparison's prompt is the longest, past 64 positions.
    expect(captured.positions[2]).toBeGreaterThan(Math.max(64, captured.positions[0]!));
    expect(captured.rows.map((answer) => answer.length)).toEqual(plain.ids.map((ids) => ids.length));
    expect(captured.rows.flat().length).toBeGreaterThan(captured.ids.length);
    captured.rows.forEach((answer, a) =>
      answer.forEach((row, step) => {
        const other = plain.rows[a]![step]!;
        let differing = 0;
        for (let i = 0; i < row.length; i++) if (!Object.is(row[i], other[i])) differing++;
        expect(differing, `answer ${a}, step ${step}: logits that differ`).toBe(0);
      }),
    );
  }, 600_000);

  it('captures by default for a model this small', async () => {
    const engine = createNodeEngine({ ...dawnWebHost(), imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize) });
    try {
      const model = await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 64 });
      expect(model.decode).toEqual({ graphCapture: true });
    } finally {
      await engine.unload();
    }
  }, 300_000);
});
