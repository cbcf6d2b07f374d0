import { AppError } from '../errors.ts';
import { randomSeed } from './random.ts';

/**
 * How the next token is picked. Every default is the faithful one (model contract, "Generation"):
 * greedy decoding with nothing that changes the model's logits, which is how DepictQA was evaluated.
 */
export interface SamplingOptions {
  /** 0 = greedy (argmax, ties to the lowest id). Above 0 the logits are divided by it and sampled. */
  temperature?: number;
  /** Nucleus sampling mass in (0, 1]; used only when sampling. Default 0.9, DepictQA's own. */
  topP?: number;
  /** Keep the k best tokens (ties at the k-th value kept, as Hugging Face does); 0 = off. Used only when
   *  sampling. Default 50: Hugging Face `generate()` applies top-k 50 unless told otherwise, and
   *  DepictQA's sampling call does not say. */
  topK?: number;
  /** Hugging Face semantics on ids already generated: a positive logit is divided by it, any other
   *  multiplied. 1 = off. Applies to greedy decoding too. */
  repetitionPenalty?: number;
  /** Ban any token that would complete an n-gram already present in the generated ids; 0 = off. */
  noRepeatNgramSize?: number;
  /** Seed of the PRNG (uint32). Without it a seed is drawn, and the sampler reports it. */
  seed?: number;
}

export type ResolvedSamplingOptions = Required<SamplingOptions>;

/** The repetition-loop guard ("body body body…"): see `detectRepetitionLoop`. */
export interface LoopGuardOptions {
  /** Longest repeated unit looked for, in tokens. */
  maxNgram?: number;
  /** A unit must repeat at least this many times back to back at the end of the answer… */
  minRepeats?: number;
  /** …and the repeats must cover at least this many tokens (so one token needs 12 repeats, not 4). */
  minLoopTokens?: number;
}

export type ResolvedLoopGuardOptions = Required<LoopGuardOptions>;

export interface StoppingOptions {
  /** `</s>`. */
  eosTokenId?: number;
  maxNewTokens?: number;
  /** Off by default: a faithful run stops only at `</s>` or the token limit, as upstream does. */
  loopGuard?: boolean | LoopGuardOptions;
}

export interface ResolvedStoppingOptions {
  eosTokenId: number;
  maxNewTokens: number;
  loopGuard: ResolvedLoopGuardOptions | null;
}

export const EOS_TOKEN_ID = 2;
export const DEFAULT_MAX_NEW_TOKENS = 400;
export const DEFAULT_LOOP_GUARD: ResolvedLoopGuardOptions = { maxNgram: 8, minRepeats: 4, minLoopTokens: 12 };

/**
 * An opt-in preset against repetition loops, for users who prefer a readable answer to a faithful one:
 * still greedy, a mild repetition penalty, and the loop guard. No n-gram block: reasoning answers
 * legitimately repeat phrases such as "Image A is".
 */
export const ANTI_LOOP_SETTINGS: { sampling: SamplingOptions; stopping: StoppingOptions } = {
  sampling: { repetitionPenalty: 1.1 },
  stopping: { loopGuard: true },
};

export function resolveSamplingOptions(options: SamplingOptions = {}): ResolvedSamplingOptions {
  const resolved: ResolvedSamplingOptions = {
    temperature: options.temperature ?? 0,
    topP: options.topP ?? 0.9,
    topK: options.topK ?? 50,
    repetitionPenalty: options.repetitionPenalty ?? 1,
    noRepeatNgramSize: options.noRepeatNgramSize ?? 0,
    seed: options.seed ?? randomSeed(),
  };
  check(Number.isFinite(resolved.temperature) && resolved.temperature >= 0, 'temperature', resolved.temperature, 'a number ≥ 0');
  check(resolved.topP > 0 && resolved.topP <= 1, 'topP', resolved.topP, 'a number in (0, 1]');
  check(isCount(resolved.topK), 'topK', resolved.topK, 'an integer ≥ 0');
  check(Number.isFinite(resolved.repetitionPenalty) && resolved.repetitionPenalty > 0, 'repetitionPenalty', resolved.repetitionPenalty, 'a number > 0');
  check(isCount(resolved.noRepeatNgramSize), 'noRepeatNgramSize', resolved.noRepeatNgramSize, 'an integer ≥ 0');
  check(isCount(resolved.seed) && resolved.seed <= 0xffffffff, 'seed', resolved.seed, 'an integer in [0, 2^32)');
  return resolved;
}

export function resolveStoppingOptions(options: StoppingOptions = {}): ResolvedStoppingOptions {
  const eosTokenId = options.eosTokenId ?? EOS_TOKEN_ID;
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  check(isCount(eosTokenId), 'eosTokenId', eosTokenId, 'an integer ≥ 0');
  check(isCount(maxNewTokens) && maxNewTokens >= 1, 'maxNewTokens', maxNewTokens, 'an integer ≥ 1');
  const guard = options.loopGuard ?? false;
  let loopGuard: ResolvedLoopGuardOptions | null = null;
  if (guard !== false) {
    loopGuard = { ...DEFAULT_LOOP_GUARD, ...(guard === true ? {} : guard) };
    check(isCount(loopGuard.maxNgram) && loopGuard.maxNgram >= 1, 'loopGuard.maxNgram', loopGuard.maxNgram, 'an integer ≥ 1');
    check(isCount(loopGuard.minRepeats) && loopGuard.minRepeats >= 2, 'loopGuard.minRepeats', loopGuard.minRepeats, 'an integer ≥ 2');
    check(isCount(loopGuard.minLoopTokens), 'loopGuard.minLoopTokens', loopGuard.minLoopTokens, 'an integer ≥ 0');
  }
  return { eosTokenId, maxNewTokens, loopGuard };
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

function check(ok: boolean, name: string, value: unknown, expected: string): void {
  if (!ok) {
    throw new AppError('GENERATION_SETTINGS_INVALID', `Generation setting ${name} is ${String(value)}; expected ${expected}.`, {
      hint: 'Reset the generation settings to their defaults.',
    });
  }
}
