import { describe, expect, it } from 'vitest';
import type { GraphSpec } from '../../core/bundle/manifest.ts';
import type { GenerateEvent, PromptInfo } from '../../core/engine/generate.ts';
import { GpuGuard } from '../gpu/gpuGuard.ts';
import { FakeDevice, GPUOutOfMemoryError } from '../gpu/testing/fakeDevice.ts';
import type { KvCache } from '../llm/KvCache.ts';
import { LanguageModel, zeroCounters } from '../llm/LanguageModel.ts';
import { SequenceCache } from '../llm/SequenceCache.ts';
import type { Ort, OrtSession } from '../runtime/graphSession.ts';
import { generateAnswer } from './generateAnswer.ts';

const HIDDEN = 4;
const VOCAB = 50;
const EOS = 2;
/** The greedy answer the fake decoder gives: token ANSWER[k] after k decode steps. */
const ANSWER = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const PROMPT = [1, 5, 6, 7];

class FakeTensor {
  constructor(
    readonly type: string,
    readonly data: ArrayLike<number | bigint>,
    readonly dims: readonly number[],
  ) {}
}

/**
 * The answer loop over a language model whose sessions are fakes: the decoder's logits pick ANSWER in order, and
 * `onRun(k)` is called inside decoder run k (0 = the prefill), where a test makes the fake GPU fail.
 */
function answerSetup(device: FakeDevice | null, onRun: (run: number) => void = () => undefined, onEmbed: (run: number) => void = () => undefined) {
  const ort = { Tensor: FakeTensor } as unknown as Ort;
  let embeds = 0;
  const embed = {
    run: async (feeds: Record<string, FakeTensor>) => {
      onEmbed(embeds++);
      return { inputs_embeds: new FakeTensor('float32', new Float32Array(feeds.input_ids!.dims[1]! * HIDDEN), []) };
    },
  };
  let runs = 0;
  const decoder = {
    run: async () => {
      const run = runs++;
      onRun(run);
      const logits = new Float32Array(VOCAB);
      logits[ANSWER[Math.min(run, ANSWER.length - 1)]!] = 10;
      return { logits: new FakeTensor('float32', logits, [1, 1, VOCAB]) };
    },
  };
  const kv: KvCache = { capacity: 64, feeds: () => ({}), fetches: () => ({}), update: () => undefined, dispose: () => undefined };
  const graph = { inputs: [{ name: 'inputs_embeds', dtype: 'float32' }] } as unknown as GraphSpec;
  const counters = zeroCounters();
  const model = new LanguageModel(ort, embed as unknown as OrtSession, decoder as unknown as OrtSession, graph, kv, HIDDEN, counters);
  const events: GenerateEvent[] = [];
  const gpu = new GpuGuard(device);
  const info = { task: 'description', kind: 'description', hasReference: false, question: 'q', questionIndex: 0, segments: [{ ids: PROMPT }], positions: PROMPT.length } as unknown as PromptInfo;
  const answer = (maxNewTokens = 8) =>
    generateAnswer({
      gpu,
      cache: new SequenceCache(model),
      tokenizer: { legacy: false, encodeChunk: () => [], encodePiece: () => [], decode: (ids) => ids.map((id) => `<${id}>`).join('') },
      prompt: { info, items: [{ ids: PROMPT }], keys: PROMPT },
      sampling: { temperature: 0 },
      stopping: { eosTokenId: EOS, maxNewTokens },
      prefillChunk: 8,
      signal: { aborted: false },
      counters,
      confidenceIds: null,
      visionMs: {},
      emit: (event) => events.push(event),
      tokenIntervalMs: 0,
      startedAt: performance.now(),
    });
  const shownIds = () => events.flatMap((event) => (event.type === 'tokens' ? event.ids : []));
  return { answer, events, shownIds, gpu };
}

describe('generateAnswer and GPU failures', () => {
  it('a healthy device: every token is shown, in order, each after its run came back clean', async () => {
    const device = new FakeDevice();
    const { answer, shownIds } = answerSetup(device);
    const result = await answer(6);
    expect(result.ids).toEqual(ANSWER.slice(0, 6));
    expect(shownIds()).toEqual(ANSWER.slice(0, 6));
    // Prefill run + 5 decode runs, three scopes each, all popped.
    expect([device.pushes, device.pops, device.openScopes]).toEqual([18, 18, 0]);
  });

  it('an OOM inside decode run 3: tokens from runs 0–2 are shown, none after, and the answer rejects', async () => {
    const device = new FakeDevice();
    const { answer, shownIds, events } = answerSetup(device, (run) => {
      if (run === 3) device.raise(new GPUOutOfMemoryError('Failed to allocate a buffer'));
    });
    await expect(answer(8)).rejects.toMatchObject({ code: 'GPU_OUT_OF_MEMORY', message: expect.stringContaining('while answering') });
    // Run k gives token k; run 3 failed, so token 3 and later never reach the page.
    expect(shownIds()).toEqual(ANSWER.slice(0, 3));
    expect(events.some((event) => event.type === 'done')).toBe(false);
  });

  it('the device lost in the middle of decode run 2 (the run itself still returns): nothing from run 2 on is shown', async () => {
    const device = new FakeDevice();
    const { answer, shownIds } = answerSetup(device, (run) => {
      if (run === 2) device.destroy('GPU connection lost');
    });
    await expect(answer(8)).rejects.toMatchObject({ code: 'GPU_DEVICE_LOST' });
    expect(shownIds()).toEqual(ANSWER.slice(0, 2));
  });

  it('an error reported outside any scope between runs (the uncaptured listener) stops the answer before the next token', async () => {
    const device = new FakeDevice();
    // Embedding 0 is the prompt's; embedding k ≥ 1 feeds token k − 1 into decode run k, outside its scopes.
    const { answer, shownIds } = answerSetup(device, undefined, (embedding) => {
      if (embedding === 4) device.raise(new GPUOutOfMemoryError('late'));
    });
    await expect(answer(9)).rejects.toMatchObject({ code: 'GPU_OUT_OF_MEMORY' });
    // Token 3 was sampled before the error but waits for run 4 to be queued, and is dropped with it.
    expect(shownIds()).toEqual(ANSWER.slice(0, 3));
  });

  it('without a device (CPU backend) the answer is the same as on a healthy GPU', async () => {
    const { answer, shownIds } = answerSetup(null);
    expect((await answer(5)).ids).toEqual(ANSWER.slice(0, 5));
    expect(shownIds()).toEqual(ANSWER.slice(0, 5));
  });
});
