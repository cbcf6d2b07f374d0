import { create } from 'zustand';
import type { GenerateResult } from '../core/engine/types.ts';
import type { SerializedError } from '../core/errors.ts';

export type RunStatus = 'idle' | 'encoding' | 'running' | 'done' | 'stopped' | 'failed';

/** What the page keeps of a finished answer (the result minus its token ids and prompt segments). */
export type RunSummary = Pick<GenerateResult, 'verdict' | 'distortion' | 'confidence' | 'stats' | 'stopReason'>;

/** 'random': a random question of the task's set, drawn at each run. */
export type QuestionPick = number | 'random';

interface RunState {
  status: RunStatus;
  /** The answer text so far, as the model wrote it. */
  text: string;
  /** The question asked, as inserted into the prompt. */
  question: string | null;
  summary: RunSummary | null;
  error: SerializedError | null;
  questionPick: QuestionPick;
  maxNewTokens: number;
  setQuestionPick: (pick: QuestionPick) => void;
  setMaxNewTokens: (value: number) => void;
  start: () => void;
  setRunning: (question: string) => void;
  appendText: (text: string) => void;
  finish: (text: string, summary: RunSummary) => void;
  fail: (error: SerializedError) => void;
  /** Shows a saved run (from the history) as the answer, as it ended. */
  restore: (snapshot: Pick<RunState, 'status' | 'text' | 'question' | 'summary' | 'error'>) => void;
}

export const DEFAULT_MAX_NEW_TOKENS = 400;

export const useRunStore = create<RunState>()((set) => ({
  status: 'idle',
  text: '',
  question: null,
  summary: null,
  error: null,
  questionPick: 'random',
  maxNewTokens: DEFAULT_MAX_NEW_TOKENS,
  setQuestionPick: (questionPick) => set({ questionPick }),
  setMaxNewTokens: (maxNewTokens) => set({ maxNewTokens }),
  start: () => set({ status: 'encoding', text: '', question: null, summary: null, error: null }),
  setRunning: (question) => set({ status: 'running', question }),
  appendText: (text) => set((state) => ({ text: state.text + text })),
  // The result's text replaces the streamed one: it has the trained "\n </s>" tail removed.
  finish: (text, summary) => set({ status: summary.stopReason === 'cancelled' ? 'stopped' : 'done', text, summary }),
  fail: (error) => set({ status: 'failed', error }),
  restore: (snapshot) => set(snapshot),
}));
