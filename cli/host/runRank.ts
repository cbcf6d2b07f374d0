/**
 * `npm run rank`: many candidates ranked against one reference in Node through the same engine as the app, each
 * pair asked in both orders with DepictQA's brief comparison question, p(▁A) and p(▁B) read after `▁Image`.
 * Prints a table, or one JSON record with --json. Bad input fails before the model loads.
 */
import { readFile } from 'node:fs/promises';
import type { RankResult } from '../../src/core/engine/rank.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { AppError } from '../../src/core/errors.ts';
import { inspectImageBytes } from '../../src/core/image/inspectImage.ts';
import { MAX_IMAGES, MIN_IMAGES } from '../../src/core/ranking/index.ts';
import type { EngineHost } from '../../src/engine/EngineHost.ts';
import type { RankArgs } from './rankArgs.ts';
import type { NodeDevice } from './nodeDevice.ts';
import { openLoadedEngine, type AskOutput } from './runAsk.ts';
import { rankRecord } from '../../src/core/ranking/rankRecord.ts';

export async function runRank(args: RankArgs, io: AskOutput, hostOverrides: Partial<EngineHost> = {}): Promise<RankResult> {
  // 1. Everything that can be checked without the model: the number of candidates, every file readable.
  const n = args.candidates.length;
  if (n < MIN_IMAGES || n > MAX_IMAGES) {
    throw new AppError('REQUEST_INVALID', `A ranking needs ${MIN_IMAGES} to ${MAX_IMAGES} candidates; ${n === 0 ? 'none was' : `${n} ${n === 1 ? 'was' : 'were'}`} given.`, {
      hint: n < MIN_IMAGES ? 'Pass at least two files after --candidates.' : `Rank at most ${MAX_IMAGES} images at a time: split them into groups.`,
    });
  }
  const reference = args.reference === undefined ? undefined : await readImage(args.reference, 'the reference image', '--ref');
  const candidates: ImageInput[] = [];
  for (const [index, path] of args.candidates.entries()) candidates.push(await readImage(path, `candidate ${index + 1}`, '--candidates'));

  // 2. The engine on the chosen device.
  const { engine, device, model } = await openLoadedEngine(args, hostOverrides);
  try {

    // 3. The ranking.
    const result = await engine.rank({
      ...(reference === undefined ? {} : { reference }),
      candidates,
      mode: args.allPairs ? 'allPairs' : 'active',
      ...(args.maxPairs === undefined ? {} : { maxPairs: args.maxPairs }),
      ...(args.questionIndex === undefined ? {} : { questionIndex: args.questionIndex }),
      ...(args.kvReuse ? {} : { reuse: false }),
    });
    const where = { device, variant: model.variant };
    if (args.json) io.out(`${JSON.stringify(rankRecord(result, args, where))}\n`);
    else {
      io.out(rankTable(result, args));
      io.err(summary(result, where));
    }
    return result;
  } finally {
    await engine.unload();
  }
}

async function readImage(path: string, what: string, flag: string): Promise<ImageInput> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${path}: cannot read ${what} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: `Check the path given to ${flag}.`,
      cause,
    });
  }
  // Format, damage and size from the header, so that a bad file fails before the model loads.
  inspectImageBytes(bytes, path);
  return { name: path, bytes };
}

/** The ranking as a plain-text table, best first. */
export function rankTable(result: RankResult, args: Pick<RankArgs, 'candidates'>): string {
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;
  const rows = result.ranking.map((entry, rank) => [
    String(rank + 1),
    args.candidates[entry.index]!,
    signed(entry.score),
    `[${signed(entry.low)}, ${signed(entry.high)}]`,
    Number.isFinite(entry.votes) ? entry.votes.toFixed(3) : '–',
    `${entry.wins}–${entry.losses}`,
  ]);
  const header = ['rank', 'image', 'score', '95% interval', 'votes', 'won–lost'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const tied = result.tiedGroups.filter((group) => group.length > 1).map((group) => group.map((index) => args.candidates[index]).join(' ≈ '));
  return [
    line(header),
    ...rows.map(line),
    ...(tied.length === 0 ? [] : ['', `not told apart yet: ${tied.join('; ')}`]),
    '',
    `position bias ${(result.positionBias * 100).toFixed(1)}% for Image A (50% is none)`,
    '',
  ].join('\n');
}

function summary(result: RankResult, where: { device: NodeDevice; variant: string }): string {
  const s = result.stats;
  const fromScratch = s.prefillTokens + s.prefillTokensSaved;
  return `${result.mode}, ${s.pairs} pairs in both orders on ${where.device} (${where.variant}) · ${s.visionRuns} images encoded · ${s.modelRuns} model runs · prefill ${s.prefillTokens} of ${fromScratch} positions (${s.prefillTokensSaved} reused) · ${(s.elapsedMs / 1000).toFixed(2)} s\n`;
}
