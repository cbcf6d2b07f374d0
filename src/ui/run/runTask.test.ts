import { afterEach, describe, expect, it } from 'vitest';
import type { PromptInfo } from '../../core/engine/types.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { answerSink, questionChoice, withSeed } from './runTask.ts';

describe('run requests', () => {
  it('draws a random question once, before the run, so that Regenerate asks the same one', () => {
    expect(questionChoice('random', '', 10, () => 0.35)).toEqual({ index: 3 });
    expect(questionChoice(4, '', 10)).toEqual({ index: 4 });
    // A pick from a longer list of another task is redrawn within this task's set.
    expect(questionChoice(12, '', 10, () => 0.99)).toEqual({ index: 9 });
    expect(questionChoice('own', '  Is it blurry?  ', 10)).toEqual({ text: 'Is it blurry?' });
  });

  it('gives a sampling run without a seed one it records, and leaves greedy and typed seeds alone', () => {
    const greedy = { sampling: null, maxNewTokens: 16, loopGuard: false };
    expect(withSeed(greedy, 5)).toBe(greedy);
    const penalised = { sampling: { repetitionPenalty: 1.1 }, maxNewTokens: 16, loopGuard: false };
    expect(withSeed(penalised, 5)).toBe(penalised);
    expect(withSeed({ sampling: { temperature: 0.7 }, maxNewTokens: 16, loopGuard: false }, 5).sampling).toEqual({ temperature: 0.7, seed: 5 });
    expect(withSeed({ sampling: { temperature: 0.7, seed: 1 }, maxNewTokens: 16, loopGuard: false }, 5).sampling).toEqual({ temperature: 0.7, seed: 1 });
  });
});

describe('answerSink', () => {
  const initial = useRunStore.getState();
  afterEach(() => useRunStore.setState(initial, true));

  it('streams into the store until the result is in, and drops a batch of tokens that arrives after it', () => {
    const sink = answerSink();
    useRunStore.getState().start({ task: 'description', images: {}, question: { index: 0 }, settings: { sampling: null, maxNewTokens: 4, loopGuard: false } });
    const prompt: PromptInfo = { task: 'description', kind: 'single_no_reference', hasReference: false, question: 'Q?', questionIndex: 0, segments: [], positions: 9 };
    sink.onEvent({ type: 'start', prompt, sampling: { temperature: 0, topP: 0.9, topK: 50, repetitionPenalty: 1, noRepeatNgramSize: 0, seed: 3 }, maxNewTokens: 4 });
    sink.onEvent({ type: 'tokens', text: 'sharp', ids: [1] });
    expect(useRunStore.getState()).toMatchObject({ status: 'running', text: 'sharp', question: 'Q?', asked: { hasReference: false, questionIndex: 0, seed: null } });
    sink.close();
    useRunStore.getState().finish('sharp and clean', { verdict: null, distortion: null, confidence: null, stats: {} as never, stopReason: 'max_tokens' });
    // The last batch, sent before the result but delivered after it on its own channel.
    sink.onEvent({ type: 'tokens', text: ' and clean', ids: [2, 3] });
    expect(useRunStore.getState()).toMatchObject({ status: 'done', text: 'sharp and clean' });
  });
});
