import type { PriorComparison, RankEvent, RankRequest, RankResult } from '../../core/engine/rank.ts';
import { AppError } from '../../core/errors.ts';
import { addComparison, createRanking, MAX_IMAGES, MIN_IMAGES, nextPair, rankingReport, type RankingMode } from '../../core/ranking/index.ts';
import type { WorkCounters } from '../llm/LanguageModel.ts';
import type { LoadedModel } from '../openModel.ts';
import { yieldToEventLoop } from '../generation/yieldToEventLoop.ts';
import { buildComparisonPrompt } from './comparisonPrompt.ts';
import { comparisonSetup, holdImage, type HeldImage } from './compareImages.ts';
import { runComparison } from './runComparison.ts';

export interface RankJob {
  /** Set by `cancel()`; read between comparisons. */
  signal: { readonly aborted: boolean };
  emit: (event: RankEvent) => void;
  counters: WorkCounters;
}

const MODES: readonly RankingMode[] = ['active', 'allPairs'];

/**
 * Ranks candidates against one reference: 1. every image encoded once (a file given twice, or already held, costs
 * no vision run), 2. the ranking core picks each ordered pair, the engine answers it with one prefill that reuses the
 * KV cache's shared prefix, 3. the Bradley–Terry fit, DepictQA's voting score and the pairs' raw answers.
 */
export async function rankImages(model: LoadedModel, request: RankRequest, job: RankJob): Promise<RankResult> {
  const started = performance.now();
  const candidatesGiven = checkRankRequest(request);
  const mode = request.mode ?? 'active';
  let state = createRanking(candidatesGiven.length, { mode, ...(request.maxPairs === undefined ? {} : { maxPairs: request.maxPairs }) });
  const prior = checkPrior(request.prior, candidatesGiven.length);
  for (const record of prior) state = addComparison(state, { first: record.first, second: record.second, pFirst: record.pA, pSecond: record.pB });
  const setup = comparisonSetup(model, request.reference !== undefined, request.questionIndex, job.counters);
  job.emit({ type: 'start', candidates: candidatesGiven.length, mode, maxPairs: state.options.maxPairs, prior: prior.length });

  // 1. The images.
  const visionBefore = job.counters.visionRuns;
  const total = candidatesGiven.length + (request.reference === undefined ? 0 : 1);
  let encoded = 0;
  const hold = async (ref: RankRequest['candidates'][number], what: string): Promise<HeldImage> => {
    const image = await holdImage(model, ref, what);
    job.emit({ type: 'encoded', done: ++encoded, total, image: image.info });
    return image;
  };
  const reference = request.reference === undefined ? null : await hold(request.reference, 'The reference image');
  const candidates: HeldImage[] = [];
  for (const [index, ref] of candidatesGiven.entries()) candidates.push(await hold(ref, `Candidate ${index + 1}`));
  const features = new Map([reference, ...candidates].filter((image) => image !== null).map((image) => [image.info.id, image.features]));

  // 2. The comparisons, in the order the ranking asks them: consecutive ones share Image A, so the KV cache keeps
  // the prompt up to A's rows and each prefills what follows. The cache starts empty, so that the same request
  // gives the same numbers whatever ran before (it costs one prefill of the shared prefix).
  const comparing = performance.now();
  model.cache.clear();
  let cancelled = false;
  const totals = { comparisons: 0, modelRuns: 0, prefillTokens: 0, prefillTokensSaved: 0, sharedPrefix: 0 };
  for (let query = nextPair(state); query !== null; query = nextPair(state)) {
    if (job.signal.aborted) {
      cancelled = true;
      break;
    }
    const ids = {
      ...(reference === null ? {} : { reference: reference.info.id }),
      a: candidates[query.first]!.info.id,
      b: candidates[query.second]!.info.id,
    };
    const prompt = buildComparisonPrompt(ids, setup.question, model.tokenizer, (id) => features.get(id)!);
    if (request.reuse === false) model.cache.clear();
    const { pA, pB, work } = await runComparison(setup.context, prompt);
    state = addComparison(state, { first: query.first, second: query.second, pFirst: pA, pSecond: pB });
    totals.comparisons++;
    totals.modelRuns += work.modelRuns;
    totals.prefillTokens += work.prefillTokens;
    totals.prefillTokensSaved += work.reusedPositions;
    totals.sharedPrefix = work.sharedPrefix;
    const pairs = new Set(state.records.map((r) => Math.min(r.first, r.second) * MAX_IMAGES + Math.max(r.first, r.second))).size;
    job.emit({ type: 'comparison', first: query.first, second: query.second, pA, pB, pairs, done: state.records.length, work });
    // Lets a worker see `cancel()` between comparisons.
    await yieldToEventLoop();
  }

  // 3. The fit.
  const report = rankingReport(state);
  const finished = performance.now();
  return {
    ...report,
    mode,
    question: setup.question.text,
    reference: reference?.info ?? null,
    candidates: candidates.map((image) => image.info),
    cancelled,
    stats: {
      pairs: report.comparisons.length,
      ...totals,
      priorComparisons: prior.length,
      visionRuns: job.counters.visionRuns - visionBefore,
      elapsedMs: finished - started,
      comparisonMs: finished - comparing,
    },
  };
}

/** The request's earlier comparisons, checked: indices of two different candidates and probabilities in [0, 1]. */
function checkPrior(prior: RankRequest['prior'], n: number): PriorComparison[] {
  if (prior === undefined) return [];
  if (!Array.isArray(prior)) throw new AppError('REQUEST_INVALID', 'The earlier comparisons of a ranking must be a list.', { hint: 'Start the ranking afresh.' });
  const seen = new Set<string>();
  for (const record of prior) {
    const { first, second, pA, pB } = (record ?? {}) as Partial<PriorComparison>;
    const isIndex = (k: unknown): k is number => Number.isInteger(k) && (k as number) >= 0 && (k as number) < n;
    const isP = (p: unknown) => typeof p === 'number' && p >= 0 && p <= 1;
    if (!isIndex(first) || !isIndex(second) || first === second || !isP(pA) || !isP(pB)) {
      throw new AppError('REQUEST_INVALID', `An earlier comparison (${JSON.stringify(record)}) does not fit ${n} candidates.`, {
        hint: 'The saved comparisons belong to another set of images: start the ranking afresh.',
      });
    }
    const key = `${first},${second}`;
    if (seen.has(key)) throw new AppError('REQUEST_INVALID', `Image ${first + 1} against image ${second + 1} is given twice among the earlier comparisons.`, { hint: 'Start the ranking afresh.' });
    seen.add(key);
  }
  return prior;
}

function checkRankRequest(request: RankRequest): RankRequest['candidates'] {
  const candidates = (request as { candidates?: unknown } | null)?.candidates;
  if (!Array.isArray(candidates) || candidates.length < MIN_IMAGES || candidates.length > MAX_IMAGES) {
    const count = Array.isArray(candidates) ? candidates.length : 0;
    throw new AppError('REQUEST_INVALID', `A ranking needs ${MIN_IMAGES} to ${MAX_IMAGES} candidates; it was given ${count}.`, {
      hint: count < MIN_IMAGES ? 'Add more images of the reference.' : `Split the images into groups of at most ${MAX_IMAGES}.`,
    });
  }
  if (request.mode !== undefined && !MODES.includes(request.mode)) {
    throw new AppError('REQUEST_INVALID', `Unknown ranking mode "${String(request.mode)}".`, { hint: `Choose ${MODES.join(' or ')}.` });
  }
  return candidates as RankRequest['candidates'];
}
