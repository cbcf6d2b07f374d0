import { DEFAULT_MAX_NEW_TOKENS, type SamplingOptions } from './settings.ts';

/**
 * The generation settings as typed in the form: strings, so that a half-typed value ("0.", "") stays on
 * screen with its message instead of being replaced. `readGenerationForm` turns them into engine options.
 */
export interface GenerationForm {
  mode: 'greedy' | 'sampling';
  temperature: string;
  topP: string;
  topK: string;
  /** Empty: a fresh seed at each run (the one used is shown with the answer). */
  seed: string;
  maxNewTokens: string;
  repetitionPenalty: string;
  noRepeatNgramSize: string;
  /** Stop an answer that loops ("body body body…"); off is the faithful setting. */
  loopGuard: boolean;
}

export type FormField = Exclude<keyof GenerationForm, 'mode' | 'loopGuard'>;
export type FormErrors = Partial<Record<FormField, string>>;

/** What a run asks of the engine besides the task, the images and the question. */
export interface RunSettings {
  /** null: greedy with no logit changes, the faithful default. The seed is absent when a fresh one is wanted. */
  sampling: SamplingOptions | null;
  maxNewTokens: number;
  loopGuard: boolean;
}

/** Longest answer the form accepts; the model's context is the real limit (the engine says so when reached). */
export const MAX_NEW_TOKENS_LIMIT = 4096;

// The engine's defaults (settings.ts), so an untouched form runs exactly like `npm run ask` without flags.
export const DEFAULT_FORM: GenerationForm = {
  mode: 'greedy',
  temperature: '0.7',
  topP: '0.9',
  topK: '50',
  seed: '',
  maxNewTokens: String(DEFAULT_MAX_NEW_TOKENS),
  repetitionPenalty: '1',
  noRepeatNgramSize: '0',
  loopGuard: false,
};

/** A plain decimal number ("0.7", "1", ".5"); Number() alone would also take "", " ", "0x10" and "1e3". */
function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  return /^(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number(trimmed) : null;
}

function parseInteger(text: string): number | null {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/**
 * Checks every field the mode uses and returns the settings, or one message per bad field. The ranges are the
 * engine's (`resolveSamplingOptions`), so a form that passes here never fails there.
 */
export function readGenerationForm(form: GenerationForm): { settings: RunSettings; errors: null } | { settings: null; errors: FormErrors } {
  const errors: FormErrors = {};
  const sampling = form.mode === 'sampling';

  const maxNewTokens = parseInteger(form.maxNewTokens);
  if (maxNewTokens === null || maxNewTokens < 1 || maxNewTokens > MAX_NEW_TOKENS_LIMIT) {
    errors.maxNewTokens = `Max new tokens must be a whole number from 1 to ${MAX_NEW_TOKENS_LIMIT}.`;
  }
  const repetitionPenalty = parseDecimal(form.repetitionPenalty);
  if (repetitionPenalty === null || repetitionPenalty <= 0) errors.repetitionPenalty = 'Repetition penalty must be a number above 0 (1 = off).';
  const noRepeatNgramSize = parseInteger(form.noRepeatNgramSize);
  if (noRepeatNgramSize === null) errors.noRepeatNgramSize = 'No-repeat n-gram size must be a whole number, 0 or more (0 = off).';

  let temperature = 0;
  let topP: number | null = null;
  let topK: number | null = null;
  let seed: number | null = null;
  if (sampling) {
    const parsedTemperature = parseDecimal(form.temperature);
    if (parsedTemperature === null || parsedTemperature <= 0) errors.temperature = 'Temperature must be a number above 0 (for 0, choose greedy).';
    else temperature = parsedTemperature;
    topP = parseDecimal(form.topP);
    if (topP === null || topP <= 0 || topP > 1) errors.topP = 'Top-p must be a number above 0 and at most 1.';
    topK = parseInteger(form.topK);
    if (topK === null) errors.topK = 'Top-k must be a whole number, 0 or more (0 = off).';
    if (form.seed.trim() !== '') {
      seed = parseInteger(form.seed);
      if (seed === null || seed > 0xffffffff) errors.seed = 'Seed must be a whole number from 0 to 4294967295, or empty for a new one each run.';
    }
  }
  if (Object.keys(errors).length > 0) return { settings: null, errors };

  const options: SamplingOptions = {};
  if (sampling) {
    options.temperature = temperature;
    options.topP = topP!;
    options.topK = topK!;
    if (seed !== null) options.seed = seed;
  }
  if (repetitionPenalty !== 1) options.repetitionPenalty = repetitionPenalty!;
  if (noRepeatNgramSize !== 0) options.noRepeatNgramSize = noRepeatNgramSize!;
  return {
    settings: { sampling: Object.keys(options).length === 0 ? null : options, maxNewTokens: maxNewTokens!, loopGuard: form.loopGuard },
    errors: null,
  };
}

/** One line for the collapsed settings: what the next run will do. */
export function describeForm(form: GenerationForm): string {
  const read = readGenerationForm(form);
  if (read.settings === null) return 'check the settings';
  const { sampling, maxNewTokens, loopGuard } = read.settings;
  const parts = [form.mode === 'sampling' ? `sampling at T ${sampling?.temperature}` : 'greedy', `up to ${maxNewTokens} tokens`];
  if (sampling?.repetitionPenalty !== undefined) parts.push(`repetition penalty ${sampling.repetitionPenalty}`);
  if (sampling?.noRepeatNgramSize !== undefined) parts.push(`no repeated ${sampling.noRepeatNgramSize}-grams`);
  if (loopGuard) parts.push('loop guard');
  return parts.join(', ');
}
