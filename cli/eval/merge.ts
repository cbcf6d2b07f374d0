/**
 * `npm run eval -- merge --out DIR`: the shards' journals into per-image scores and the paper's numbers.
 * Per reference group: DepictQA's voting score and the MAP Bradley–Terry score of every image, SRCC against the
 * MOS, and PLCC after DepictQA's 4-parameter logistic fit; `srcc`/`plcc` are the means over groups (the paper's
 * protocol), `pooled` correlates all images at once. Triplet datasets get the 2AFC score instead.
 * Everything is computed in a fixed order from the sorted records, so any sharding gives the same numbers.
 */
import { readdir } from 'node:fs/promises';
import { writeFileDurably } from '../fs/durableWrite.ts';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import { pearson, spearman } from '../../src/core/generation/correlation.ts';
import { fitLogistic4 } from '../../src/core/generation/logisticFit.ts';
import { combineOrders, fitBradleyTerry, votingScores, type ComparisonRecord } from '../../src/core/ranking/index.ts';
import { NO_RUNS, type ModelRuns } from './comparator.ts';
import { compareKeys } from './datasets.ts';
import { entryKey, readJournal, type JournalEntry } from './journal.ts';
import { readShardMeta, shardJournalPath, type ShardGroupMeta, type ShardMeta } from './shardMeta.ts';
import { formatSeconds } from './runShard.ts';

export interface Correlations {
  srcc: number | null;
  plcc: number | null;
}

export interface GroupSummary {
  group: string;
  images: number;
  /** Images with at least one comparison: the ones correlated. */
  compared: number;
  comparisons: number;
  voting: Correlations;
  bradleyTerry: Correlations;
  /** False when PLCC is on raw scores because the logistic could not be fitted (fewer than 4 images, or equal scores). */
  logisticFitted: boolean;
}

export interface EvalSummary {
  dataset: { layout: string; sha256: string; groups: number };
  task: 'comparison';
  pairs: string;
  shards: number;
  /** Means over groups, voting scores (DepictQA's protocol); null for a triplet dataset. */
  srcc: number | null;
  plcc: number | null;
  bradleyTerry: Correlations;
  perGroup: GroupSummary[];
  pooled: { voting: Correlations; bradleyTerry: Correlations; images: number };
  /** Triplet datasets: mean of p·h + (1 − p)(1 − h). */
  twoAfc: { score: number; triplets: number } | null;
  comparisons: number;
  /** Lines found twice in the journals (a shard run twice at once); each counted once. */
  duplicates: number;
  modelRuns: ModelRuns;
  /** Comparison time summed over all shards. */
  elapsedMs: number;
  device: string;
  variant: string;
  model: unknown;
}

export interface ImageScore {
  group: string;
  image: string;
  mos: number | null;
  voting: number | null;
  bradleyTerry: number | null;
}

/** Every comparison of the finished shards in `out` once, grouped by reference (or id), and the shards' descriptions. */
export interface ShardEntries {
  metas: ShardMeta[];
  /** Every shard's groups, sorted by key. */
  groups: ShardGroupMeta[];
  byGroup: Map<string, JournalEntry[]>;
  /** In the groups' order. */
  entries: JournalEntry[];
  /** Records seen twice (a shard resumed from a copy, say) and counted once. */
  duplicates: number;
}

export async function readShardEntries(out: string): Promise<ShardEntries> {
  const metas = await completeShards(out);
  const byGroup = new Map<string, JournalEntry[]>();
  const seen = new Set<string>();
  let duplicates = 0;
  for (const meta of metas) {
    const { entries } = await readJournal(shardJournalPath(out, meta.shard));
    for (const entry of entries) {
      if (seen.has(entryKey(entry))) {
        duplicates++;
        continue;
      }
      seen.add(entryKey(entry));
      byGroup.set(entry.group, [...(byGroup.get(entry.group) ?? []), entry]);
    }
  }
  const groups = metas.flatMap((meta) => meta.groups).sort((a, b) => compareKeys(a.key, b.key));
  return { metas, groups, byGroup, entries: groups.flatMap((group) => byGroup.get(group.key) ?? []), duplicates };
}

export async function mergeShards(out: string): Promise<{ summary: EvalSummary; scores: ImageScore[] }> {
  // 1. Every comparison once, grouped by reference.
  const { metas, groups, byGroup, entries, duplicates } = await readShardEntries(out);
  const first = metas[0]!;

  // 2. Per group: scores, correlations, triplet agreement.
  const perGroup: GroupSummary[] = [];
  const scores: ImageScore[] = [];
  const twoAfc: number[] = [];
  for (const group of groups) {
    const records = (byGroup.get(group.key) ?? []).map((entry) => toRecord(group, entry)).sort(compareRecords);
    const n = group.images.length;
    const voting = n >= 1 ? votingScores(n, records) : [];
    const bt = n >= 2 && records.length > 0 ? fitBradleyTerry(n, combineOrders(records)).scores : new Array<number>(n).fill(NaN);
    const comparedImages = new Set(records.flatMap((r) => [r.first, r.second]));
    group.images.forEach((image, k) =>
      scores.push({
        group: group.key,
        image: image.name,
        mos: image.mos,
        voting: comparedImages.has(k) ? voting[k]! : null,
        bradleyTerry: comparedImages.has(k) ? bt[k]! : null,
      }),
    );
    if (group.triplets !== undefined) {
      const outcomes = combineOrders(records);
      for (const { a, b, humanPrefersA } of group.triplets) {
        const outcome = outcomes.find((o) => o.i === Math.min(a, b) && o.j === Math.max(a, b));
        if (outcome === undefined) continue;
        const p = a < b ? outcome.pIBeatsJ : 1 - outcome.pIBeatsJ;
        twoAfc.push(p * humanPrefersA + (1 - p) * (1 - humanPrefersA));
      }
      continue;
    }
    const rows = scores.slice(scores.length - n).filter((s) => s.voting !== null && s.mos !== null);
    const mos = rows.map((s) => s.mos!);
    const v = correlate(rows.map((s) => s.voting!), mos);
    const b = correlate(rows.map((s) => s.bradleyTerry!), mos);
    perGroup.push({ group: group.key, images: n, compared: rows.length, comparisons: records.length, voting: strip(v), bradleyTerry: strip(b), logisticFitted: v.fitted && b.fitted });
  }

  // 3. Means over groups, and all images pooled.
  const pooledRows = scores.filter((s) => s.voting !== null && s.mos !== null);
  const pooledMos = pooledRows.map((s) => s.mos!);
  const isTriplets = groups.some((group) => group.triplets !== undefined);
  const summary: EvalSummary = {
    dataset: { layout: first.dataset.layout, sha256: first.dataset.sha256, groups: first.dataset.groups },
    task: first.task,
    pairs: first.pairs,
    shards: first.shard.count,
    srcc: isTriplets ? null : mean(perGroup.map((g) => g.voting.srcc)),
    plcc: isTriplets ? null : mean(perGroup.map((g) => g.voting.plcc)),
    bradleyTerry: { srcc: isTriplets ? null : mean(perGroup.map((g) => g.bradleyTerry.srcc)), plcc: isTriplets ? null : mean(perGroup.map((g) => g.bradleyTerry.plcc)) },
    perGroup,
    pooled: {
      voting: strip(correlate(pooledRows.map((s) => s.voting!), pooledMos)),
      bradleyTerry: strip(correlate(pooledRows.map((s) => s.bradleyTerry!), pooledMos)),
      images: pooledRows.length,
    },
    twoAfc: isTriplets ? { score: mean(twoAfc) ?? NaN, triplets: twoAfc.length } : null,
    comparisons: entries.length,
    duplicates,
    modelRuns: entries.reduce(addRuns, { ...NO_RUNS }),
    elapsedMs: Math.round(entries.reduce((sum, e) => sum + e.elapsedMs, 0)),
    device: unique(metas.map((m) => m.comparator.device)),
    variant: unique(metas.map((m) => m.comparator.variant)),
    model: first.comparator.model,
  };
  return { summary, scores };
}

/**
 * The merged numbers written beside the shards: scores.csv, summary.md, then summary.json, the mark of a finished
 * merge. Each is written whole or not at all (a full disk leaves the earlier file, or none, never half of one).
 */
export async function writeMerged(out: string, merged: { summary: EvalSummary; scores: ImageScore[] }): Promise<void> {
  const cell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = merged.scores.map((s) => [s.group, s.image, s.mos, s.voting, s.bradleyTerry].map(cell).join(','));
  await writeFileDurably(join(out, 'scores.csv'), `group,image,mos,voting,bradley_terry\n${lines.join('\n')}\n`);
  await writeFileDurably(join(out, 'summary.md'), markdownSummary(merged.summary));
  await writeFileDurably(join(out, 'summary.json'), `${JSON.stringify(merged.summary, null, 2)}\n`);
}

export function markdownSummary(summary: EvalSummary): string {
  const f = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(4));
  const lines = [
    `# DepictQA evaluation: ${summary.dataset.layout}, ${summary.dataset.groups} groups`,
    '',
    `${summary.comparisons} comparisons (${summary.pairs}), ${summary.shards} shard(s), device ${summary.device}, variant ${summary.variant}, ` +
      `${formatSeconds(summary.elapsedMs / 1000)} of comparisons.`,
    '',
  ];
  if (summary.twoAfc !== null) {
    lines.push('| triplets | 2AFC |', '|---:|---:|', `| ${summary.twoAfc.triplets} | ${f(summary.twoAfc.score)} |`);
  } else {
    lines.push(
      '| score | SRCC (mean over groups) | PLCC (mean over groups) | SRCC (pooled) | PLCC (pooled) |',
      '|---|---:|---:|---:|---:|',
      `| voting (DepictQA) | ${f(summary.srcc)} | ${f(summary.plcc)} | ${f(summary.pooled.voting.srcc)} | ${f(summary.pooled.voting.plcc)} |`,
      `| Bradley–Terry (MAP) | ${f(summary.bradleyTerry.srcc)} | ${f(summary.bradleyTerry.plcc)} | ${f(summary.pooled.bradleyTerry.srcc)} | ${f(summary.pooled.bradleyTerry.plcc)} |`,
      '',
      '| group | images | comparisons | SRCC (voting) | PLCC (voting) | SRCC (BT) | PLCC (BT) |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...summary.perGroup.map(
        (g) =>
          `| ${g.group || '(no reference)'} | ${g.images} | ${g.comparisons} | ${f(g.voting.srcc)} | ${f(g.voting.plcc)} | ${f(g.bradleyTerry.srcc)} | ${f(g.bradleyTerry.plcc)} |`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function completeShards(out: string): Promise<ShardMeta[]> {
  let names: string[];
  try {
    names = await readdir(out);
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${out}: cannot read the evaluation folder.`, { hint: 'Pass the --out folder the shards wrote to.', cause });
  }
  const metaNames = names.filter((name) => /^shard-\d+-of-\d+\.json$/.test(name));
  if (metaNames.length === 0) {
    throw new AppError('FILE_NOT_FOUND', `${out} holds no shard results (shard-I-of-N.json).`, { hint: 'Run the shards first, each with --shard I/N and this --out folder.' });
  }
  const metas = await Promise.all(metaNames.map((name) => readShardMeta(join(out, name))));
  const counts = [...new Set(metas.map((m) => m.shard.count))];
  if (counts.length > 1) {
    throw new AppError('BAD_ARGUMENTS', `${out} mixes runs split into ${counts.join(' and ')} shards.`, {
      hint: 'Keep one run per folder: move the other shards\' files away, or merge a fresh --out folder.',
    });
  }
  const count = counts[0]!;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !metas.some((m) => m.shard.index === i && m.complete));
  if (missing.length > 0) {
    throw new AppError('BAD_ARGUMENTS', `${out}: shard(s) ${missing.join(', ')} of ${count} are missing or unfinished.`, {
      hint: `Run (or resume) them with --shard ${missing[0]}/${count} and the same --out, then merge again.`,
    });
  }
  const other = metas.find((m) => m.dataset.sha256 !== metas[0]!.dataset.sha256 || m.pairs !== metas[0]!.pairs);
  if (other !== undefined) {
    throw new AppError('BAD_ARGUMENTS', `${out}: shard ${other.shard.index} evaluated another dataset or pair mode than shard ${metas[0]!.shard.index}.`, {
      hint: 'Evaluate each dataset into its own --out folder.',
    });
  }
  return metas.sort((a, b) => a.shard.index - b.shard.index);
}

function toRecord(group: ShardGroupMeta, entry: JournalEntry): ComparisonRecord {
  const first = group.images.findIndex((image) => image.name === entry.imageA);
  const second = group.images.findIndex((image) => image.name === entry.imageB);
  if (first < 0 || second < 0) {
    throw new AppError('BAD_ARGUMENTS', `A journal records ${entry.imageA} vs ${entry.imageB} in group "${entry.group}", which its shard does not list.`, {
      hint: 'The folder mixes runs of different datasets: evaluate into a fresh --out folder.',
    });
  }
  return { first, second, pFirst: entry.pA, pSecond: entry.pB };
}

/** SRCC of the scores with the MOS, and PLCC after DepictQA's logistic fit (on raw scores when it cannot be fitted). */
export function correlate(x: number[], y: number[]): Correlations & { fitted: boolean } {
  if (x.length < 2) return { srcc: null, plcc: null, fitted: false };
  const srcc = finite(spearman(x, y));
  try {
    const fit = fitLogistic4(x, y);
    return { srcc, plcc: finite(pearson(fit.predictions, y)), fitted: true };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { srcc, plcc: finite(pearson(x, y)), fitted: false };
  }
}

function strip({ srcc, plcc }: Correlations): Correlations {
  return { srcc, plcc };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function mean(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
}

/** Model runs summed over journal entries (older journals may lack a counter). */
export function addRuns(sum: ModelRuns, entry: JournalEntry): ModelRuns {
  return {
    vision: sum.vision + (entry.runs.vision ?? 0),
    decoder: sum.decoder + (entry.runs.decoder ?? 0),
    decodeSteps: sum.decodeSteps + (entry.runs.decodeSteps ?? 0),
    prefillTokens: sum.prefillTokens + (entry.runs.prefillTokens ?? 0),
  };
}

function unique(values: string[]): string {
  return [...new Set(values)].join(',');
}

function compareRecords(a: ComparisonRecord, b: ComparisonRecord): number {
  return a.first - b.first || a.second - b.second || a.pFirst - b.pFirst || a.pSecond - b.pSecond;
}
