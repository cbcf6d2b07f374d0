/**
 * One saved run of the page, as the history keeps it (IndexedDB) and exports it. Plain data: image bytes live
 * beside it, keyed by their sha256, so the same picture in many runs is stored once.
 */
import type { AnswerConfidence, ComparisonVerdict, ConfidenceReport } from '../engine/confidence.ts';
import type { GenerationStats } from '../engine/generate.ts';
import type { SerializedError } from '../errors.ts';
import type { DistortionName } from '../generation/distortion.ts';
import type { SamplingOptions } from '../generation/settings.ts';
import type { StopReason } from '../generation/stopping.ts';
import type { Verdict } from '../generation/verdict.ts';
import type { ImageFacts } from '../image/imageFacts.ts';
import { SLOT_LABELS, taskInfo, type ImageSlotId, type TaskId } from '../tasks.ts';
import type { RankResult } from '../engine/rank.ts';
import type { MethodsReport, OutputMetrics } from '../methods/methodsReport.ts';
import type { LocalizeRecord } from '../localize/localize.ts';

export const HISTORY_RECORD_VERSION = 1;

/** 'running': saved while the answer streamed; a page that finds one on startup was closed mid-answer. */
export type HistoryStatus = 'running' | 'done' | 'stopped' | 'failed';

/**
 * What a saved run did: one of the four tasks, a ranking of many candidates ('rank'), a comparison of methods on a
 * test set ('methods'), or a local quality map of the slots' images ('localize'); the last three are absent from
 * older records' choices.
 */
export type HistoryTask = TaskId | 'rank' | 'methods' | 'localize';

/** Where an image was in the run: a task's slot, or one of a ranking's candidates. */
export type HistorySlot = ImageSlotId | 'candidate';

export interface HistoryImage extends ImageFacts {
  slot: HistorySlot;
  /** sha256 of the file's bytes, hex: the key of its stored blob. */
  sha256: string;
}

export interface HistorySettings {
  maxNewTokens: number;
  /** The sampling the run asked for; null when the page offered none (greedy, the faithful default). */
  sampling: SamplingOptions | null;
  /** The repetition-loop guard was on (off is the faithful setting). */
  loopGuard: boolean;
}

export interface HistoryModel {
  name: string;
  variant: string;
  backend: string;
}

export interface HistoryRecord {
  version: typeof HISTORY_RECORD_VERSION;
  id: string;
  task: HistoryTask;
  /** The question as inserted into the prompt; null when the run failed before the prompt was built. */
  question: string | null;
  answer: string;
  status: HistoryStatus;
  /** The page was closed or crashed while this run streamed: `answer` is what had been saved by then. */
  interrupted: boolean;
  error: Pick<SerializedError, 'code' | 'message' | 'hint'> | null;
  verdict: Verdict | null;
  /** Comparison only: the model's probabilities of A and B (the older summary form; `comparison` has them all). */
  confidence: AnswerConfidence | null;
  /** DepictQA's confidence of the answer; absent in records saved before the page asked for it. */
  confidenceReport?: ConfidenceReport | null;
  /** Comparison and Reasoning: the verdict record with the letters' probabilities; absent in older records. */
  comparison?: ComparisonVerdict | null;
  distortion: DistortionName | 'None' | null;
  stopReason: StopReason | null;
  stats: GenerationStats | null;
  settings: HistorySettings;
  model: HistoryModel | null;
  /** A ranking's images: the reference (slot 'reference') and the candidates in request order (slot 'candidate'). */
  images: HistoryImage[];
  /** Rank records only: the engine's result (its `index` fields point into the candidates of `images`). */
  rank?: RankResult | null;
  /** Methods records only: the method-level result and each output's metrics (its images are not kept). */
  methods?: { report: MethodsReport; metrics: OutputMetrics; referenceFolder: string | null } | null;
  /** Localize records only: the engine's map (its tiles in grid order). */
  localize?: LocalizeRecord | null;
  /** Milliseconds since the epoch. */
  startedAt: number;
  updatedAt: number;
}

/** What a run looks like in the run store at one moment (the fields history reads). */
export interface RunSnapshot {
  status: 'encoding' | 'running' | 'done' | 'stopped' | 'failed';
  text: string;
  question: string | null;
  summary: {
    verdict: Verdict | null;
    distortion: DistortionName | 'None' | null;
    confidence: AnswerConfidence | null;
    confidenceReport: ConfidenceReport | null;
    comparison: ComparisonVerdict | null;
    stats: GenerationStats;
    stopReason: StopReason;
  } | null;
  error: SerializedError | null;
}

export interface RunStart {
  id: string;
  task: HistoryTask;
  images: HistoryImage[];
  settings: HistorySettings;
  model: HistoryModel | null;
  startedAt: number;
}

/** The record of a run that has just started: nothing answered yet. */
export function beginRecord(start: RunStart): HistoryRecord {
  return {
    version: HISTORY_RECORD_VERSION,
    id: start.id,
    task: start.task,
    question: null,
    answer: '',
    status: 'running',
    interrupted: false,
    error: null,
    verdict: null,
    confidence: null,
    confidenceReport: null,
    comparison: null,
    distortion: null,
    stopReason: null,
    stats: null,
    settings: start.settings,
    model: start.model,
    images: start.images,
    startedAt: start.startedAt,
    updatedAt: start.startedAt,
  };
}

/** The record brought up to a run store snapshot; encoding counts as running (the answer has not begun). */
export function updateRecord(record: HistoryRecord, run: RunSnapshot, now: number): HistoryRecord {
  const status: HistoryStatus = run.status === 'encoding' ? 'running' : run.status;
  const summary = run.summary;
  return {
    ...record,
    status,
    question: run.question ?? record.question,
    answer: run.text,
    error: run.status === 'failed' && run.error !== null ? pickError(run.error) : null,
    verdict: summary?.verdict ?? null,
    confidence: summary?.confidence ?? null,
    confidenceReport: summary?.confidenceReport ?? null,
    comparison: summary?.comparison ?? null,
    distortion: summary?.distortion ?? null,
    stopReason: summary?.stopReason ?? null,
    stats: summary?.stats ?? null,
    updatedAt: now,
  };
}

/** A record left 'running' by a page that closed mid-answer: stopped, with the text saved by then. */
export function interruptRecord(record: HistoryRecord, now: number): HistoryRecord {
  if (record.status !== 'running') return record;
  return { ...record, status: 'stopped', interrupted: true, updatedAt: now };
}

/** The run store's view of a saved run: what the answer panel shows when the run is opened again. */
export function recordToSnapshot(record: HistoryRecord): RunSnapshot {
  const status = record.status === 'running' ? 'stopped' : record.status;
  const summary =
    record.stats === null
      ? null
      : {
          verdict: record.verdict,
          distortion: record.distortion,
          confidence: record.confidence,
          confidenceReport: record.confidenceReport ?? null,
          comparison: record.comparison ?? null,
          stats: record.stats,
          stopReason: record.stopReason ?? (status === 'stopped' ? 'cancelled' : 'eos'),
        };
  const error = record.error === null ? null : { ...record.error };
  return { status, text: record.answer, question: record.question, summary, error };
}

/** The answer's first non-empty line, for lists; '' when there is none. */
export function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

/** The confidence in the image the verdict chose (pA / (pA + pB) for A), or null without both. */
export function chosenConfidence(record: Pick<HistoryRecord, 'verdict' | 'confidence'>): number | null {
  if (record.confidence === null || record.verdict === null) return null;
  return record.verdict === 'B' ? 1 - record.confidence.confidenceA : record.confidence.confidenceA;
}

/** A short label of what the answer concluded: "Image A is better", a distortion, or null. */
export function verdictLabel(record: Pick<HistoryRecord, 'verdict' | 'distortion'>): string | null {
  if (record.verdict !== null) return `Image ${record.verdict} is better`;
  if (record.distortion !== null) return record.distortion === 'None' ? 'No distortion' : record.distortion;
  return null;
}

function pickError(error: SerializedError): HistoryRecord['error'] {
  return { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
}

const SAMPLING_KEYS = ['temperature', 'topP', 'topK', 'repetitionPenalty', 'noRepeatNgramSize', 'seed'] as const;

/**
 * The sampling settings found in a store's field, whatever else that field holds: the known numeric options,
 * or null when there are none (the page then runs greedy, the faithful default).
 */
export function samplingFrom(value: unknown): SamplingOptions | null {
  if (typeof value !== 'object' || value === null) return null;
  const options: SamplingOptions = {};
  for (const key of SAMPLING_KEYS) {
    const option = (value as Record<string, unknown>)[key];
    if (typeof option === 'number' && Number.isFinite(option)) options[key] = option;
  }
  return Object.keys(options).length === 0 ? null : options;
}

/** The run's kind as the page names it: a task's label, "Rank", "Methods" or the quality map's. */
export function historyTaskLabel(task: HistoryTask): string {
  return task === 'rank' ? 'Rank' : task === 'methods' ? 'Methods' : task === 'localize' ? 'Where (quality map)' : taskInfo(task).label;
}

export function historySlotLabel(slot: HistorySlot): string {
  return slot === 'candidate' ? 'Candidate' : SLOT_LABELS[slot];
}
