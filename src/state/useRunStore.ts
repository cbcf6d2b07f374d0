import { create } from 'zustand';
import type { AnswerConfidence, ConfidenceReport } from '../core/engine/confidence.ts';
import type { GenerateResult, QuestionChoice } from '../core/engine/generate.ts';
import type { SerializedError } from '../core/errors.ts';
import { DEFAULT_MAX_NEW_TOKENS, type SamplingOptions } from '../core/generation/settings.ts';
import type { ImageSlotId, TaskId } from '../core/tasks.ts';
import { DEFAULT_FORM, type GenerationForm, type RunSettings } from '../core/generation/generationForm.ts';
import type { SlotImage } from './useImageStore.ts';

export type RunStatus = 'idle' | 'encoding' | 'running' | 'done' | 'stopped' | 'failed';

/**
 * What the page keeps of a finished answer (the result minus its token ids and prompt segments): `confidence` is
 * the comparison's letters in the older summary form (`comparisonSummary`), `confidenceReport` DepictQA's
 * confidence of the answer, `comparison` the verdict record of Comparison and Reasoning.
 */
export type RunSummary = Pick<GenerateResult, 'verdict' | 'distortion' | 'stats' | 'stopReason' | 'comparison'> & {
  confidence: AnswerConfidence | null;
  confidenceReport: ConfidenceReport | null;
};

/**
 * 'images': the question of the task's set that the images' SHA-256 picks (the same images, the same question);
 * 'random': one drawn at each run, as DepictQA's training data was; 'own': the user's own text.
 */
export type QuestionPick = number | 'images' | 'random' | 'own';

/** Everything a run was asked with: Regenerate repeats it (with a new seed when sampling). */
export interface RunRequest {
  task: TaskId;
  /** The images of the slots the task reads, as they were when the run started. */
  images: Partial<Record<ImageSlotId, SlotImage>>;
  /** The question actually asked: a pick by the images or at random is resolved to its index before the run. */
  question: QuestionChoice;
  settings: RunSettings;
}

/** How the question of the answer shown was asked: the prompt form and where the question came from. */
export interface AskedInfo {
  hasReference: boolean;
  /** Position in the task's set; null for the user's own text. */
  questionIndex: number | null;
  /** The sampling seed used; null for greedy runs. */
  seed: number | null;
}

interface RunState {
  status: RunStatus;
  /** The answer text so far, as the model wrote it. */
  text: string;
  /** Before the first words: positions of the prompt run so far, of those to run (the rest came from the KV cache). */
  prefill: { done: number; total: number } | null;
  /** The question asked, as inserted into the prompt. */
  question: string | null;
  asked: AskedInfo | null;
  summary: RunSummary | null;
  error: SerializedError | null;
  /** The settings of the run shown (or last started): what history records with it. */
  maxNewTokens: number;
  sampling: SamplingOptions | null;
  /** The last run started in this page, for Regenerate. */
  lastRun: RunRequest | null;
  // The form for the next run.
  questionPick: QuestionPick;
  ownQuestion: string;
  form: GenerationForm;
  setQuestionPick: (pick: QuestionPick) => void;
  setOwnQuestion: (text: string) => void;
  setForm: (patch: Partial<GenerationForm>) => void;
  start: (request: RunRequest) => void;
  setRunning: (question: string, asked: AskedInfo) => void;
  setPrefill: (done: number, total: number) => void;
  appendText: (text: string) => void;
  finish: (text: string, summary: RunSummary) => void;
  fail: (error: SerializedError) => void;
  /** The shown answer's confidence, computed after it ended (the sentence model was loaded since); the rest of it stays. */
  fillConfidence: (report: ConfidenceReport) => void;
  /** Shows a saved run (from the history) as the answer, as it ended. */
  restore: (snapshot: Pick<RunState, 'status' | 'text' | 'question' | 'summary' | 'error'>) => void;
}

/** What a run shows before its first event: no text, no question, no result. */
const NO_ANSWER = { text: '', prefill: null, question: null, asked: null, summary: null, error: null } satisfies Partial<RunState>;

export const useRunStore = create<RunState>()((set) => ({
  status: 'idle',
  ...NO_ANSWER,
  maxNewTokens: DEFAULT_MAX_NEW_TOKENS,
  sampling: null,
  lastRun: null,
  questionPick: 'images',
  ownQuestion: '',
  form: DEFAULT_FORM,
  setQuestionPick: (questionPick) => set({ questionPick }),
  setOwnQuestion: (ownQuestion) => set({ ownQuestion }),
  setForm: (patch) => set((state) => ({ form: { ...state.form, ...patch } })),
  start: (request) =>
    set({
      status: 'encoding',
      ...NO_ANSWER,
      maxNewTokens: request.settings.maxNewTokens,
      sampling: request.settings.sampling,
      lastRun: request,
    }),
  setRunning: (question, asked) => set({ status: 'running', question, asked, prefill: null }),
  setPrefill: (done, total) => set({ prefill: { done, total } }),
  appendText: (text) => set((state) => ({ text: state.text + text })),
  // The result's text replaces the streamed one: it has the trained "\n </s>" tail removed.
  finish: (text, summary) => set({ status: summary.stopReason === 'cancelled' ? 'stopped' : 'done', text, summary }),
  fail: (error) => set({ status: 'failed', error }),
  fillConfidence: (report) => set((state) => (state.summary === null ? {} : { summary: { ...state.summary, confidenceReport: report } })),
  restore: (snapshot) => set({ ...snapshot, asked: null, prefill: null }),
}));
