import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateEvent, GenerateRequest } from '../../src/core/engine/generate.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import type { ImageSlotId } from '../../src/core/tasks.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import { sha256Hex } from '../../src/core/sha256.ts';
import { nodeOrt } from './ortNode.ts';
import { createNodeEngine } from './nodeHost.ts';
import { fixedRowsEncoder } from './testing/fixedRowsEncoder.ts';
import { randomSlotImages } from './testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

const CHUNK = 32;

let root: string;
let bundle: TinyBundle;
const images = {} as Record<ImageSlotId, ImageInput>;
const engines: Engine[] = [];

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-engine-'));
  bundle = await buildTinyBundle(root, ['fp32'], { seed: 5 });
  Object.assign(images, await randomSlotImages({ reference: [70, 70], a: [84, 70], b: [70, 98] }, 11));
}, 120_000);

afterAll(async () => {
  for (const engine of engines) await engine.unload();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/** An engine with every token sent as its own event, so that tests can act on the first one. */
function newEngine(): Engine {
  const engine = createNodeEngine({ imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize), tokenIntervalMs: 0 });
  engines.push(engine);
  return engine;
}

async function loadedEngine(): Promise<{ engine: Engine; ids: Record<ImageSlotId, string> }> {
  const engine = newEngine();
  await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 512, prefillChunk: CHUNK });
  const ids = {} as Record<ImageSlotId, string>;
  for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
  return { engine, ids };
}

function comparison(ids: Record<ImageSlotId, string>, index: number, maxNewTokens = 6): GenerateRequest {
  return { task: 'comparison', images: { reference: ids.reference, a: ids.a, b: ids.b }, question: { index }, maxNewTokens };
}

function collect(): { events: GenerateEvent[]; onEvent: (event: GenerateEvent) => void } {
  const events: GenerateEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

describe('prefix reuse', () => {
  it('a second question on the same images runs no vision and prefills only the new tokens, with a fresh engine’s answer', async () => {
    const { engine, ids } = await loadedEngine();
    const first = await engine.generate(comparison(ids, 0));
    const before = await engine.counters();
    expect(before.visionRuns).toBe(3);
    expect(before.prefillTokens).toBe(first.prompt.positions);

    // Adding the same files again finds them in the cache.
    expect((await engine.encodeImage(images.a)).cached).toBe(true);
    const second = await engine.generate(comparison(ids, 1));
    const after = await engine.counters();
    expect(after.visionRuns).toBe(3);

    // Everything up to the question is shared: the whole prompt but its last text segment, at least.
    const segments = second.prompt.segments;
    const lastImageEnd = second.prompt.positions - (segments.at(-1) as { ids: number[] }).ids.length;
    expect(second.stats.reusedPositions).toBeGreaterThanOrEqual(lastImageEnd);
    expect(second.stats.prefillTokens).toBe(second.prompt.positions - second.stats.reusedPositions);
    expect(after.prefillTokens - before.prefillTokens).toBe(second.stats.prefillTokens);
    expect(second.stats.prefillTokens).toBeLessThan(50);

    const fresh = await loadedEngine();
    const expected = await fresh.engine.generate(comparison(fresh.ids, 1));
    expect(second.ids).toEqual(expected.ids);
    expect(second.comparison!.pA).toBeCloseTo(expected.comparison!.pA, 9);
    expect((await fresh.engine.counters()).prefillTokens).toBe(expected.prompt.positions);
  }, 60_000);
});

describe('cancellation', () => {
  it('during the prefill: stops after the running chunk, and the next answer is complete and unchanged', async () => {
    const { engine, ids } = await loadedEngine();
    const { events, onEvent } = collect();
    const cancelled = await engine.generate(comparison(ids, 0), (event) => {
      onEvent(event);
      if (event.type === 'prefill' && event.done === CHUNK) void engine.cancel();
    });
    expect(cancelled.stopReason).toBe('cancelled');
    expect(cancelled.ids).toEqual([]);
    expect(cancelled.stats.prefillTokens).toBe(CHUNK);
    expect(events.filter((event) => event.type === 'prefill')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('done');

    const resumed = await engine.generate(comparison(ids, 0));
    expect(resumed.stopReason).not.toBe('cancelled');
    expect(resumed.stats.reusedPositions).toBe(CHUNK);
    const fresh = await loadedEngine();
    expect(resumed.ids).toEqual((await fresh.engine.generate(comparison(fresh.ids, 0))).ids);
  }, 60_000);

  it('during decoding: stops within one step; twice in a row is the same; an idle cancel does not touch the next answer', async () => {
    const { engine, ids } = await loadedEngine();
    const once = await engine.generate(comparison(ids, 0, 50), (event) => {
      if (event.type === 'tokens') void engine.cancel();
    });
    expect(once).toMatchObject({ stopReason: 'cancelled', comparison: null, confidence: null });
    expect(once.ids).toHaveLength(1);

    const twice = await engine.generate(comparison(ids, 2, 50), (event) => {
      if (event.type === 'tokens') {
        void engine.cancel();
        void engine.cancel();
      }
    });
    expect(twice.stopReason).toBe('cancelled');
    expect(twice.ids).toHaveLength(1);

    await engine.cancel();
    await engine.cancel();
    const full = await engine.generate(comparison(ids, 0, 5));
    expect(full.ids).toHaveLength(5);
    expect(full.stopReason).toBe('max_tokens');
    expect(full.ids[0]).toBe(once.ids[0]);
  }, 60_000);
});

describe('bad requests and faults', () => {
  it('generate and encodeImage before load say so, and the engine loads afterwards', async () => {
    const engine = newEngine();
    const { events, onEvent } = collect();
    await expect(engine.generate({ task: 'description', images: { a: 'x' } }, onEvent)).rejects.toMatchObject({ code: 'ENGINE_NOT_LOADED' });
    expect(events).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'ENGINE_NOT_LOADED', hint: 'Load a model bundle first.' }) }]);
    await expect(engine.encodeImage(images.a)).rejects.toMatchObject({ code: 'ENGINE_NOT_LOADED' });
    await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 256 });
    const a = await engine.encodeImage(images.a);
    expect((await engine.generate({ task: 'description', images: { a: a.id }, maxNewTokens: 2 })).ids).toHaveLength(2);
  }, 60_000);

  it('refuses missing, unknown and ill-formed inputs by code, and answers the next good request', async () => {
    const { engine, ids } = await loadedEngine();
    await expect(engine.generate({ task: 'comparison', images: { a: ids.a } })).rejects.toMatchObject({
      code: 'IMAGE_MISSING',
      message: 'The comparison task needs Image B.',
    });
    await expect(engine.generate({ task: 'description', images: {} })).rejects.toMatchObject({ code: 'IMAGE_MISSING' });
    await expect(engine.generate({ task: 'description', images: { a: 'f'.repeat(64) } })).rejects.toMatchObject({ code: 'IMAGE_NOT_ENCODED' });
    await expect(engine.generate({ ...comparison(ids, 0), question: { index: 99 } })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
    await expect(engine.generate({ ...comparison(ids, 0), sampling: { temperature: -1 } })).rejects.toMatchObject({ code: 'GENERATION_SETTINGS_INVALID' });
    await expect(engine.generate({ task: 'rating' as never, images: { a: ids.a } })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
    await expect(engine.encodeImage({ name: 'notes.txt', bytes: new TextEncoder().encode('hello') })).rejects.toMatchObject({ code: 'IMAGE_DECODE_FAILED' });
    await expect(engine.load({ kind: 'path', path: join(root, 'nowhere') })).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
    await expect(engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 10_000 })).rejects.toMatchObject({ code: 'BAD_ARGUMENTS' });
    await expect(engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant: 'q4f16' })).rejects.toMatchObject({ code: 'VARIANT_UNAVAILABLE' });
    // A refused load leaves the loaded model in place.
    const result = await engine.generate({ task: 'distortion', images: { a: ids.a }, question: { text: 'What is wrong with this image?' }, maxNewTokens: 3 });
    expect(result.prompt.question).toBe('What is wrong with this image? Answer the question using a single word or phrase.');
    expect(result.ids).toHaveLength(3);
  }, 60_000);

  it('a second generate while one runs is refused, never interleaved', async () => {
    const { engine, ids } = await loadedEngine();
    const first = collect();
    const second = collect();
    const running = engine.generate(comparison(ids, 0, 4), first.onEvent);
    await expect(engine.generate(comparison(ids, 1, 4), second.onEvent)).rejects.toMatchObject({ code: 'ENGINE_BUSY' });
    expect(second.events.map((event) => event.type)).toEqual(['error']);
    const result = await running;
    expect(result.ids).toHaveLength(4);
    const streamed = first.events.flatMap((event) => (event.type === 'tokens' ? event.ids : []));
    expect(streamed).toEqual(result.ids);
    expect(first.events[0]?.type).toBe('start');
    expect(first.events.at(-1)?.type).toBe('done');
    expect((await engine.generate(comparison(ids, 1, 2))).ids).toHaveLength(2);
  }, 60_000);
});

describe('one request with the images themselves', () => {
  it('encodes the bytes it lacks in the same job, trusts the caller’s hash, and answers as with ids from encodeImage', async () => {
    const engine = newEngine();
    await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 512, prefillChunk: CHUNK });
    const aId = await sha256Hex(images.a.bytes);
    const { events, onEvent } = collect();
    const first = await engine.generate(
      { task: 'comparison', images: { reference: images.reference, a: { ...images.a, id: aId }, b: images.b }, question: { index: 0 }, maxNewTokens: 6 },
      onEvent,
    );
    expect((await engine.counters()).visionRuns).toBe(3);
    expect(first.images.a).toMatchObject({ id: aId, name: 'a.png', cached: false });
    expect(first.images.reference?.id).toBe(await sha256Hex(images.reference.bytes));
    // One channel, in order: start, the tokens, then done with the result.
    expect(events[0]?.type).toBe('start');
    expect(events.at(-1)).toEqual({ type: 'done', result: first });
    expect(events.flatMap((event) => (event.type === 'tokens' ? event.ids : []))).toEqual(first.ids);

    // The same images again, by id or by bytes: nothing is encoded, and the answer is a fresh engine's.
    const again = await engine.generate({ task: 'comparison', images: { reference: first.images.reference!.id, a: aId, b: images.b }, question: { index: 0 }, maxNewTokens: 6 });
    expect((await engine.counters()).visionRuns).toBe(3);
    expect(again.images.b?.cached).toBe(true);
    const fresh = await loadedEngine();
    expect(again.ids).toEqual(first.ids);
    expect((await fresh.engine.generate(comparison(fresh.ids, 0))).ids).toEqual(first.ids);
  }, 60_000);
});
