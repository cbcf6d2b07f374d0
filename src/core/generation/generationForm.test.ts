import { describe, expect, it } from 'vitest';
import { resolveSamplingOptions } from './settings.ts';
import { DEFAULT_FORM, describeForm, readGenerationForm } from './generationForm.ts';

describe('readGenerationForm', () => {
  it('reads the untouched form as the faithful default: greedy, no logit changes, 400 tokens', () => {
    expect(readGenerationForm(DEFAULT_FORM)).toEqual({ settings: { sampling: null, maxNewTokens: 400, loopGuard: false }, errors: null });
    expect(describeForm(DEFAULT_FORM)).toBe('greedy, up to 400 tokens');
  });

  it('passes sampling options, and the seed only when one is typed', () => {
    const form = { ...DEFAULT_FORM, mode: 'sampling' as const, temperature: '0.8', topP: '0.95', topK: '0', maxNewTokens: '16' };
    expect(readGenerationForm(form).settings).toEqual({ sampling: { temperature: 0.8, topP: 0.95, topK: 0 }, maxNewTokens: 16, loopGuard: false });
    expect(readGenerationForm({ ...form, seed: ' 42 ' }).settings?.sampling).toEqual({ temperature: 0.8, topP: 0.95, topK: 0, seed: 42 });
    expect(describeForm(form)).toBe('sampling at T 0.8, up to 16 tokens');
  });

  it('keeps a repetition penalty and an n-gram block in greedy mode, and ignores the sampling fields there', () => {
    const form = { ...DEFAULT_FORM, temperature: '-3', seed: 'x', repetitionPenalty: '1.1', noRepeatNgramSize: '3', loopGuard: true };
    expect(readGenerationForm(form).settings).toEqual({ sampling: { repetitionPenalty: 1.1, noRepeatNgramSize: 3 }, maxNewTokens: 400, loopGuard: true });
    expect(describeForm(form)).toBe('greedy, up to 400 tokens, repetition penalty 1.1, no repeated 3-grams, loop guard');
  });

  it('names every bad field with a message that says what is allowed', () => {
    const form = {
      ...DEFAULT_FORM,
      mode: 'sampling' as const,
      temperature: '0',
      topP: '1.5',
      topK: '2.5',
      seed: '4294967296',
      maxNewTokens: '0',
      repetitionPenalty: '',
      noRepeatNgramSize: '-1',
    };
    const { settings, errors } = readGenerationForm(form);
    expect(settings).toBeNull();
    expect(errors).toEqual({
      temperature: 'Temperature must be a number above 0 (for 0, choose greedy).',
      topP: 'Top-p must be a number above 0 and at most 1.',
      topK: 'Top-k must be a whole number, 0 or more (0 = off).',
      seed: 'Seed must be a whole number from 0 to 4294967295, or empty for a new one each run.',
      maxNewTokens: 'Max new tokens must be a whole number from 1 to 4096.',
      repetitionPenalty: 'Repetition penalty must be a number above 0 (1 = off).',
      noRepeatNgramSize: 'No-repeat n-gram size must be a whole number, 0 or more (0 = off).',
    });
    expect(describeForm(form)).toBe('check the settings');
    // Text that Number() would take is refused: hex, exponents, blanks.
    expect(readGenerationForm({ ...DEFAULT_FORM, maxNewTokens: '0x10' }).errors?.maxNewTokens).toBeDefined();
    expect(readGenerationForm({ ...DEFAULT_FORM, maxNewTokens: '1e2' }).errors?.maxNewTokens).toBeDefined();
    expect(readGenerationForm({ ...DEFAULT_FORM, mode: 'sampling', temperature: ' ' }).errors?.temperature).toBeDefined();
  });

  it('never passes the engine a setting it would refuse', () => {
    const forms = [
      { ...DEFAULT_FORM, mode: 'sampling' as const, temperature: '0.01', topP: '1', topK: '1', seed: '4294967295' },
      { ...DEFAULT_FORM, mode: 'sampling' as const, temperature: '5', topP: '.01', seed: '0', repetitionPenalty: '0.5' },
    ];
    for (const form of forms) {
      const { settings } = readGenerationForm(form);
      expect(settings).not.toBeNull();
      expect(() => resolveSamplingOptions(settings!.sampling ?? {})).not.toThrow();
    }
  });
});
