import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { decimal, modelFlags, oneOf, parseFlags, positiveNumber, required, sharedFlags, sharedUsage, usageLine, wholeNumber } from './flags.ts';

const OPTIONS = { out: { type: 'string' }, runs: { type: 'string', default: '9' }, force: { type: 'boolean', default: false } } as const;

describe('parseFlags', () => {
  it('reads flags with their defaults', () => {
    expect(parseFlags(['--out', 'o', '--force'], OPTIONS, 'usage')).toEqual({ out: 'o', runs: '9', force: true });
  });

  it.each([[['--what']], [['--out']], [['positional']]])('refuses %j as BAD_ARGUMENTS with the usage as hint', (argv) => {
    let error: unknown;
    try {
      parseFlags(argv, OPTIONS, 'usage');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'BAD_ARGUMENTS', hint: 'usage' });
  });
});

describe('the shared checks', () => {
  const refusal = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return error;
    }
    return null;
  };

  it.each([
    [() => wholeNumber('1.5', 'seed', 0, 'usage'), '--seed must be a whole number ≥ 0, not "1.5"'],
    [() => wholeNumber('', 'seed', 0, 'usage'), '--seed must be a whole number ≥ 0, not ""'],
    [() => decimal('x', 'top-p', 'usage'), '--top-p must be a number, not "x"'],
    [() => positiveNumber('0', 'chunk-mb', 'usage'), '--chunk-mb must be a positive number, not "0"'],
    [() => oneOf('gpu', 'device', ['webgpu', 'cpu'], 'usage'), '--device must be one of webgpu, cpu, not "gpu"'],
    [() => required(undefined, 'bundle', 'DIR', 'usage'), '--bundle is required: give --bundle DIR'],
    [() => modelFlags({ variant: 'int8' }, 'usage'), '--variant must be one of q4f16, q4, fp32, not "int8"'],
    [() => modelFlags({ context: '1' }, 'usage'), '--context must be a whole number ≥ 2, not "1"'],
  ])('refuses with one wording and the usage as hint (%#)', (run, message) => {
    expect(refusal(run)).toMatchObject({ code: 'BAD_ARGUMENTS', message, hint: 'usage' });
  });

  it('passes good values through', () => {
    expect(wholeNumber('12', 'seed', 0, 'usage')).toBe(12);
    expect(modelFlags({ device: 'cpu', variant: 'q4', context: '64' }, 'usage')).toEqual({ device: 'cpu', variant: 'q4', maxContext: 64 });
    expect(modelFlags({}, 'usage')).toEqual({});
  });

  it('writes every usage line in one style: the flag and its value in a column, long text continued under it', () => {
    expect(sharedUsage('bundle')).toBe('  --bundle DIR          a converted bundle folder (manifest.json, onnx/, tokenizer)');
    expect(usageLine('explain', 'N', 'first\nsecond')).toBe(`  --explain N           first\n${' '.repeat(24)}second`);
    expect(usageLine('a-very-long-flag-name', 'VALUE', 'text')).toBe('  --a-very-long-flag-name VALUE text');
  });

  it('gives each command the shared flags it names, as they are defined once', () => {
    expect(sharedFlags('json', 'device')).toEqual({ json: { type: 'boolean', default: false }, device: { type: 'string' } });
  });
});
