import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundleManifest } from '../host/folderBundle.ts';
import { buildTinyBundle, type TinyBundle } from '../host/testing/tinyBundle.ts';
import { nodeOrt } from '../host/ortNode.ts';
import { openEngineComparator } from './engineComparator.ts';
import { readJournal } from './journal.ts';
import { mergeShards } from './merge.ts';
import { runShard } from './runShard.ts';
import { shardJournalPath } from './shardMeta.ts';
import { makeTestGroups, writeTestDataset } from './testing/testDatasets.ts';

let root: string;
let bundle: TinyBundle;
let dataset: string;

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-eval-engine-'));
  bundle = await buildTinyBundle(join(root, 'model'), ['fp32'], { seed: 9, vision: true });
  dataset = await writeTestDataset(join(root, 'data'), 'kadid10k', await makeTestGroups({ groups: 2, levels: 2, size: 32 }), 32);
}, 180_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('the engine as comparator, on the tiny bundle', () => {
  it('evaluates a small dataset on the CPU: raw p(▁A), p(▁B) per order, model runs, the bundle model block', async () => {
    const out = join(root, 'out');
    const comparator = await openEngineComparator({ bundle: bundle.bundleDir, device: 'cpu', variant: 'fp32', maxContext: 512 });
    try {
      expect(comparator.info).toMatchObject({ device: 'cpu', variant: 'fp32' });
      const first = await runShard({ dataset, out, shard: { index: 0, count: 2 }, pairs: 'allPairs', comparator });
      const second = await runShard({ dataset, out, shard: { index: 1, count: 2 }, pairs: 'allPairs', comparator });
      expect(first.asked + second.asked).toBe(2 * 4 * 3);
    } finally {
      await comparator.close();
    }
    const { entries } = await readJournal(shardJournalPath(out, { index: 0, count: 2 }));
    expect(entries).toHaveLength(12);
    for (const entry of entries) {
      expect(entry.pA).toBeGreaterThanOrEqual(0);
      expect(entry.pB).toBeGreaterThanOrEqual(0);
      expect(entry.pA + entry.pB).toBeLessThanOrEqual(1 + 1e-6);
      expect(entry.runs.decoder).toBeGreaterThan(0);
    }
    // Each image's vision encoding runs once: later comparisons find its features.
    expect(entries.reduce((n, e) => n + e.runs.vision, 0)).toBe(5);
    const { summary } = await mergeShards(out);
    expect(summary.comparisons).toBe(24);
    expect(summary.device).toBe('cpu');
    expect(summary.model).toEqual((await readBundleManifest(bundle.bundleDir)).model);
    expect(summary.modelRuns.decoder).toBeGreaterThanOrEqual(24);
    expect(summary.perGroup).toHaveLength(2);
  }, 180_000);

  it('gives the same p(▁A), p(▁B) with --no-kv-reuse, every comparison prefilled whole', async () => {
    const journals: Array<Awaited<ReturnType<typeof readJournal>>['entries']> = [];
    for (const kvReuse of [true, false]) {
      const out = join(root, `reuse-${kvReuse}`);
      const comparator = await openEngineComparator({ bundle: bundle.bundleDir, device: 'cpu', variant: 'fp32', maxContext: 512, kvReuse });
      try {
        await runShard({ dataset, out, shard: { index: 0, count: 1 }, pairs: 'allPairs', comparator });
      } finally {
        await comparator.close();
      }
      journals.push((await readJournal(shardJournalPath(out, { index: 0, count: 1 }))).entries);
    }
    const [reused, scratch] = journals as [(typeof journals)[0], (typeof journals)[0]];
    expect(scratch.map((e) => [e.group, e.imageA, e.imageB])).toEqual(reused.map((e) => [e.group, e.imageA, e.imageB]));
    const tokens = (entries: typeof reused) => entries.reduce((n, e) => n + e.runs.prefillTokens, 0);
    expect(tokens(reused)).toBeLessThan(tokens(scratch));
    for (const [k, entry] of reused.entries()) {
      expect(Math.abs(Math.log(entry.pA / scratch[k]!.pA))).toBeLessThan(1e-4);
      expect(Math.abs(Math.log(entry.pB / scratch[k]!.pB))).toBeLessThan(1e-4);
    }
  }, 180_000);
});
