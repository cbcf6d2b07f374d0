/** `npm run compare`: one shard of a method comparison (or all of it), or the merge of the shards' journals. */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import type { MethodImage } from '../../src/core/methods/methodStats.ts';
import { buildMethodsReport } from '../../src/core/methods/methodsReport.ts';
import type { ComparisonRecord } from '../../src/core/ranking/index.ts';
import type { CliIo } from '../flags/runCli.ts';
import { NO_RUNS, type Comparator } from '../eval/comparator.ts';
import { openEngineComparator } from '../eval/engineComparator.ts';
import { fakeComparator } from '../eval/fakeComparator.ts';
import { addRuns, readShardEntries } from '../eval/merge.ts';
import { runShard } from '../eval/runShard.ts';
import { acquireLock } from '../eval/shardLock.ts';
import type { ShardRunArgs } from '../eval/evalArgs.ts';
import type { CompareArgs, StatsArgs } from './compareArgs.ts';
import { checkOutputs, listOutputs, matchPath, methodsCsvPath, writeMatch, type MatchResult } from './matchMethods.ts';
import { writeCompareReport, type CompareSummary } from './compareReport.ts';
import { explainDisagreements } from './explain.ts';

export async function runCompare(args: CompareArgs, io: CliIo): Promise<void> {
  if (args.command === 'merge') {
    const model = args.model;
    return merge(args.out, args, io, model === null ? null : async (match) => {
      const comparator = await openComparator(model, match);
      return { comparator, release: () => comparator.close() };
    });
  }
  // The inputs are read, checked and measured before the model loads: a bad folder fails in seconds.
  const match = await checkOutputs(await listOutputs(args.input));
  await mkdir(args.out, { recursive: true });
  await writeMatchOnce(args.out, match);
  const comparator = await openComparator(args, match);
  const shard = args.shard ?? { index: 0, count: 1 };
  try {
    const result = await runShard({
      dataset: methodsCsvPath(args.out),
      out: args.out,
      shard,
      pairs: args.allPairs ? 'allPairs' : 'active',
      comparator,
      label: 'compare',
      onProgress: (line) => io.err(`${line}\n`),
    });
    for (const note of result.notes) io.err(`compare shard ${shard.index}/${shard.count}: ${note}\n`);
    io.err(`compare shard ${shard.index}/${shard.count}: done, ${result.groups} images, ${result.asked} comparisons asked, ${result.resumed} found in the journal\n`);
    // One run merges at once, with the model still loaded for --explain.
    if (args.shard === null) await merge(args.out, args, io, async () => ({ comparator, release: async () => {} }));
  } finally {
    await comparator.close();
  }
}

/** The model (or `--comparator fake`) as the run's arguments name it. */
async function openComparator(args: ShardRunArgs, match: MatchResult): Promise<Comparator> {
  if (args.comparator === 'fake') return psnrComparator(match, args.fakeDelayMs);
  return openEngineComparator({
    bundle: args.bundle!,
    ...(args.device === undefined ? {} : { device: args.device }),
    ...(args.variant === undefined ? {} : { variant: args.variant }),
    ...(args.maxContext === undefined ? {} : { maxContext: args.maxContext }),
    kvReuse: args.kvReuse,
  });
}

/**
 * The match of an earlier run (or of another shard) must be this one: the journals name methods and ids, and a
 * changed folder would mix two comparisons in one result.
 */
async function writeMatchOnce(out: string, match: MatchResult): Promise<void> {
  if (existsSync(matchPath(out))) {
    const before = JSON.parse(await readFile(matchPath(out), 'utf8')) as MatchResult;
    if (JSON.stringify(before) !== JSON.stringify(match)) {
      throw new AppError('BAD_ARGUMENTS', `${out} holds another comparison: its match.json lists other outputs, metrics or methods than these inputs give.`, {
        hint: 'Compare into a fresh --out folder, or give the same inputs as the run that made it.',
      });
    }
    return;
  }
  await writeMatch(out, match);
}

/** `--comparator fake`: prefers the output with the higher PSNR against its reference. */
function psnrComparator(match: MatchResult, delayMs: number): Comparator {
  if (!match.hasReference) throw new AppError('BAD_ARGUMENTS', '--comparator fake prefers the higher PSNR, which needs the references.', { hint: 'Give --ref DIR (or a reference column in the CSV).' });
  const scores = new Map<string, number>();
  for (const output of match.outputs) {
    const psnr = match.metrics[output.id]?.[output.method]?.psnr ?? null;
    // An output identical to its reference (PSNR +∞) is the best there can be; 0.5 logit per dB.
    if (psnr !== null) scores.set(output.path, 0.5 * Math.min(psnr, 100));
  }
  const comparator = fakeComparator({ scores, delayMs, noise: 0.2 });
  const psnrOf = (path: string) => match.metrics[match.outputs.find((o) => o.path === path)!.id]![match.outputs.find((o) => o.path === path)!.method]!.psnr;
  return {
    ...comparator,
    // No model, so no words of its own: the reason the fake comparator has, its PSNR, said as such.
    async reason(query) {
      const [a, b] = [psnrOf(query.imageA), psnrOf(query.imageB)];
      const verdict = a === null || b === null || a === b ? null : a > b ? 'A' : 'B';
      const dB = (v: number | null) => (v === null ? 'unknown' : Number.isFinite(v) ? `${v.toFixed(2)} dB` : '∞ dB');
      return { text: `No model (--comparator fake): Image A has a PSNR of ${dB(a)}, Image B ${dB(b)}.`, verdict, runs: { ...NO_RUNS } };
    },
  };
}

/** The comparator that answers --explain, and how to let go of it when the merge is done. */
type Explainer = (match: MatchResult) => Promise<{ comparator: Comparator; release: () => Promise<void> }>;

async function merge(out: string, options: StatsArgs, io: CliIo, explainer: Explainer | null): Promise<void> {
  const lock = existsSync(out) ? await acquireLock(join(out, 'merge.lock'), { what: 'compare merge' }) : null;
  try {
    for (const note of lock?.notes ?? []) io.err(`compare merge: ${note}\n`);
    const { summary, match } = await mergeCompare(out, options);
    if (options.explain > 0 && explainer !== null && summary.disagreements.length > 0) {
      const { comparator, release } = await explainer(match);
      try {
        summary.explanations = await explainDisagreements(out, summary.disagreements, match, comparator, options.explain, io);
      } finally {
        await release();
      }
    }
    await writeCompareReport(out, summary, match.metrics);
    io.out(options.json ? `${JSON.stringify(summary)}\n` : (await readFile(join(out, 'report.md'), 'utf8')));
  } finally {
    await lock?.release();
  }
}

export async function mergeCompare(out: string, options: Pick<StatsArgs, 'seed' | 'resamples' | 'confident'>): Promise<{ summary: CompareSummary; match: MatchResult }> {
  let match: MatchResult;
  try {
    match = JSON.parse(await readFile(matchPath(out), 'utf8')) as MatchResult;
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${out} holds no match.json of a method comparison.`, { hint: 'Run npm run compare with this --out first.', cause });
  }
  const { metas, groups, byGroup, entries } = await readShardEntries(out);
  const images: MethodImage[] = groups.map((group) => {
    const methods = group.images.map((image) => image.name);
    const records: ComparisonRecord[] = (byGroup.get(group.key) ?? []).map((entry) => ({
      first: methods.indexOf(entry.imageA),
      second: methods.indexOf(entry.imageB),
      pFirst: entry.pA,
      pSecond: entry.pB,
    }));
    const metrics = match.metrics[group.key];
    return { id: group.key, methods, records, ...(metrics === undefined ? {} : { metrics }) };
  });
  const runs = entries.reduce(addRuns, { ...NO_RUNS });
  const first = metas[0]!;
  const report = buildMethodsReport(
    match.methods,
    images,
    {
      missing: match.missing,
      skipped: match.skipped,
      runs: { modelRuns: runs.vision + runs.decoder, visionRuns: runs.vision, prefillTokens: runs.prefillTokens, elapsedMs: entries.reduce((sum, e) => sum + e.elapsedMs, 0) },
      pairs: first.pairs,
      shards: first.shard.count,
      device: [...new Set(metas.map((m) => m.comparator.device))].join(', '),
      variant: [...new Set(metas.map((m) => m.comparator.variant))].join(', '),
    },
    { seed: options.seed, resamples: options.resamples, confident: options.confident },
  );
  const summary: CompareSummary = { ...report, model: first.comparator.model };
  return { summary, match };
}
