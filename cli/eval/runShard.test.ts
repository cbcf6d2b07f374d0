import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparator } from './comparator.ts';
import { readDataset } from './datasets.ts';
import { fakeComparator, scoresFromDataset } from './fakeComparator.ts';
import { entryKey, readJournal } from './journal.ts';
import { mergeShards, type EvalSummary } from './merge.ts';
import { runShard } from './runShard.ts';
import type { PairMode } from './schedule.ts';
import { shardJournalPath, shardMetaPath } from './shardMeta.ts';
import { processRuns } from './shardLock.ts';
import { makeTestGroups, writeTestDataset, type TestLayout } from './testing/testDatasets.ts';

let root: string;
const datasets = {} as Record<TestLayout, string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'depictqa-eval-run-'));
  const groups = await makeTestGroups({ groups: 7, levels: 3 });
  for (const layout of ['csv', 'kadid10k', 'tid2013', 'triplets'] as const) datasets[layout] = await writeTestDataset(join(root, layout), layout, groups);
});

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

function comparatorFor(dataset: string): Comparator {
  return fakeComparator({ scores: scoresFromDataset(readDataset(dataset)) });
}

async function evaluate(dataset: string, out: string, count: number, pairs: PairMode = 'active'): Promise<EvalSummary> {
  for (let index = 0; index < count; index++) await runShard({ dataset, out, shard: { index, count }, pairs, comparator: comparatorFor(dataset) });
  return (await mergeShards(out)).summary;
}

/** Everything but the timing and how the work was split. */
function numbers(summary: EvalSummary): Omit<EvalSummary, 'elapsedMs' | 'shards'> {
  const { elapsedMs: _elapsed, shards: _shards, ...rest } = summary;
  return rest;
}

describe('runShard and mergeShards with the fake comparator', () => {
  it.each(['csv', 'kadid10k', 'tid2013', 'triplets'] as const)('%s: 2, 3 and 5 shards merge to the unsharded numbers', async (layout) => {
    const whole = await evaluate(datasets[layout], join(root, `${layout}-1`), 1);
    for (const count of [2, 3, 5]) expect(numbers(await evaluate(datasets[layout], join(root, `${layout}-${count}`), count))).toEqual(numbers(whole));
    if (layout === 'triplets') {
      expect(whole.twoAfc!.triplets).toBe(7 * 3);
    } else {
      expect(whole.perGroup).toHaveLength(7);
      // Known scores drive the answers, so the ranking follows the MOS.
      expect(whole.srcc).toBeGreaterThan(0.8);
      expect(whole.pooled.voting.srcc).toBeGreaterThan(0.8);
    }
    expect(whole.duplicates).toBe(0);
  });

  it('--all-pairs compares every pair of a group in both orders', async () => {
    const summary = await evaluate(datasets.csv, join(root, 'all-pairs'), 2, 'allPairs');
    expect(summary.comparisons).toBe(7 * 6 * 5);
    expect(summary.perGroup.every((g) => g.comparisons === 30)).toBe(true);
  });

  it('resumes after the journal was cut at random byte offsets: nothing asked twice, nothing lost, the same summary', async () => {
    const full = join(root, 'resume-full');
    const reference = await evaluate(datasets.kadid10k, full, 1);
    const journal = shardJournalPath(full, { index: 0, count: 1 });
    const bytes = (await readFile(journal)).length;
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let trial = 0; trial < 6; trial++) {
      const offset = trial === 0 ? 0 : Math.floor(random() * bytes);
      const out = join(root, `resume-${trial}`);
      await mkdir(out, { recursive: true });
      await copyFile(journal, shardJournalPath(out, { index: 0, count: 1 }));
      await copyFile(shardMetaPath(full, { index: 0, count: 1 }), shardMetaPath(out, { index: 0, count: 1 }));
      await truncate(shardJournalPath(out, { index: 0, count: 1 }), offset);
      const before = await readJournal(shardJournalPath(out, { index: 0, count: 1 }));
      const result = await runShard({ dataset: datasets.kadid10k, out, shard: { index: 0, count: 1 }, pairs: 'active', comparator: comparatorFor(datasets.kadid10k) });
      expect(result.resumed).toBe(before.entries.length);
      expect(result.droppedPartialLine).toBe(before.partialBytes > 0);
      const after = await readJournal(shardJournalPath(out, { index: 0, count: 1 }));
      expect(after.partialBytes).toBe(0);
      const keys = after.entries.map(entryKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(numbers((await mergeShards(out)).summary)).toEqual(numbers(reference));
    }
  });

  it('resumes after the process was killed mid-run', async () => {
    const out = join(root, 'killed');
    const reference = await evaluate(datasets.csv, join(root, 'killed-reference'), 2);
    const journal = shardJournalPath(out, { index: 1, count: 2 });
    const args = ['tsx', 'cli/eval.ts', '--dataset', datasets.csv, '--out', out, '--shard', '1/2', '--comparator', 'fake'];
    // 1. Killed (SIGKILL, no chance to clean up) once a few comparisons are in the journal.
    const child = spawn('npx', [...args, '--fake-delay-ms', '30'], { stdio: 'ignore', detached: true });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let k = 0; k < 600; k++) {
      const lines = (await readFile(journal, 'utf8').catch(() => '')).split('\n').length - 1;
      if (lines >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const partial = await readJournal(journal);
    expect(partial.entries.length).toBeGreaterThanOrEqual(5);
    // 2. The shards run again: shard 1 resumes, taking over the dead process's lock; shard 0 runs for the first time.
    const holder = JSON.parse(await readFile(`${journal}.lock`, 'utf8')) as { pid: number };
    // The killed process is gone once the kernel is done with it (its parent, npx, may exit first).
    for (let k = 0; k < 1200 && processRuns(holder.pid); k++) await new Promise((resolve) => setTimeout(resolve, 50));
    const resumed = await runShard({ dataset: datasets.csv, out, shard: { index: 1, count: 2 }, pairs: 'active', comparator: comparatorFor(datasets.csv) });
    expect(resumed.notes).toEqual([expect.stringMatching(/: took over the lock of eval shard 1\/2 \(pid \d+, started .*\), which no longer runs$/)]);
    expect(existsSync(`${journal}.lock`)).toBe(false);
    await runShard({ dataset: datasets.csv, out, shard: { index: 0, count: 2 }, pairs: 'active', comparator: comparatorFor(datasets.csv) });
    const keys = (await readJournal(journal)).entries.map(entryKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.slice(0, partial.entries.length)).toEqual(partial.entries.map(entryKey));
    expect(numbers((await mergeShards(out)).summary)).toEqual(numbers(reference));
  }, 60_000);

  it('a second process on a shard being written exits 75 at once, naming the holder; the first finishes with no record twice', async () => {
    const out = join(root, 'two-writers');
    const shard = { index: 0, count: 2 };
    const journal = shardJournalPath(out, shard);
    // The first writer is this test process, held mid-run by a comparator that waits until it is let go.
    const fake = comparatorFor(datasets.csv);
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    let answered = 0;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const gated: Comparator = {
      ...fake,
      compare: async (query) => {
        if (++answered === 3) {
          holding();
          await gate;
        }
        return fake.compare(query);
      },
    };
    const first = runShard({ dataset: datasets.csv, out, shard, pairs: 'active', comparator: gated, lock: { releaseOnSignal: false } });
    await held;
    const second = await runCli(['tsx', 'cli/eval.ts', '--dataset', datasets.csv, '--out', out, '--shard', '0/2', '--comparator', 'fake']);
    expect(second.code).toBe(75);
    expect(second.stderr).toContain(`eval: SHARD_LOCKED: ${journal}.lock is held by eval shard 0/2, pid ${process.pid} on ${hostname()}`);
    letGo();
    await first;
    const keys = (await readJournal(journal)).entries.map(entryKey);
    expect(keys.length).toBeGreaterThan(3);
    expect(new Set(keys).size).toBe(keys.length);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  }, 60_000);

  it('SIGTERM (a cancelled Slurm task) lets go of the lock before the process exits', async () => {
    const out = join(root, 'terminated');
    const journal = shardJournalPath(out, { index: 0, count: 1 });
    // Slow comparisons (2 s each), and the signal right after the first: the run cannot finish, and drop its
    // lock, before the signal comes, however slowly this machine polls. Node itself is the child (not npx, which
    // may exit before the process it started has let go), so its exit is the shard's.
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/eval.ts', '--dataset', datasets.csv, '--out', out, '--shard', '0/1', '--comparator', 'fake', '--fake-delay-ms', '2000'], { stdio: 'ignore', detached: true });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))));
    for (let k = 0; k < 1200 && (await readFile(journal, 'utf8').catch(() => '')).split('\n').length - 1 < 1; k++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(`${journal}.lock`)).toBe(true);
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    expect(existsSync(`${journal}.lock`)).toBe(false);
  }, 60_000);

  it('the merge refuses a folder with a shard missing or unfinished, naming it', async () => {
    const out = join(root, 'missing');
    await runShard({ dataset: datasets.csv, out, shard: { index: 0, count: 3 }, pairs: 'active', comparator: comparatorFor(datasets.csv) });
    await expect(mergeShards(out)).rejects.toThrow(/shard\(s\) 1, 2 of 3/);
  });

  it('a restart with other options is refused', async () => {
    const out = join(root, 'other-options');
    await runShard({ dataset: datasets.csv, out, shard: { index: 0, count: 1 }, pairs: 'active', comparator: comparatorFor(datasets.csv) });
    await expect(runShard({ dataset: datasets.csv, out, shard: { index: 0, count: 1 }, pairs: 'allPairs', comparator: comparatorFor(datasets.csv) })).rejects.toThrow(
      /different run: pairs active → allPairs/,
    );
  });

  it('a journal of another shard split is refused', async () => {
    const out = join(root, 'other-split');
    await runShard({ dataset: datasets.csv, out, shard: { index: 0, count: 2 }, pairs: 'active', comparator: comparatorFor(datasets.csv) });
    await copyFile(shardJournalPath(out, { index: 0, count: 2 }), shardJournalPath(out, { index: 0, count: 3 }));
    await expect(runShard({ dataset: datasets.csv, out, shard: { index: 0, count: 3 }, pairs: 'active', comparator: comparatorFor(datasets.csv) })).rejects.toThrow(
      /not in shard 0 of 3/,
    );
  });

  it('a corrupt line inside the journal is an error, not skipped', async () => {
    const out = join(root, 'corrupt');
    await mkdir(out, { recursive: true });
    await writeFile(shardJournalPath(out, { index: 0, count: 1 }), 'not json\n{"group":"x"}\n');
    await expect(runShard({ dataset: datasets.csv, out, shard: { index: 0, count: 1 }, pairs: 'active', comparator: comparatorFor(datasets.csv) })).rejects.toThrow(
      /line 1 is not a comparison record/,
    );
  });
});

/** Runs a command in the repository, resolving with its exit code and stderr (never rejecting). */
function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
