import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { parseFlags } from './parseFlags.ts';

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
