import { describe, expect, it } from 'vitest';
import { parseConvertArgs, USAGE } from './args.ts';

const required = ['--llm', 'l', '--delta', 'd', '--out', 'o'];

describe('convert arguments: the decoder graph form', () => {
  it("leaves the form to the converter's defaults unless told", () => {
    const parsed = parseConvertArgs(required);
    expect(parsed.fuseQkv).toBeUndefined();
    expect(parsed.fuseGateUp).toBeUndefined();
    expect(parsed.symmetric).toBeUndefined();
  });

  it('--no-fuse-qkv keeps q, k and v apart; --fuse-gate-up fuses gate and up', () => {
    expect(parseConvertArgs([...required, '--no-fuse-qkv'])).toMatchObject({ fuseQkv: false });
    expect(parseConvertArgs([...required, '--fuse-gate-up'])).toMatchObject({ fuseGateUp: true });
    expect(USAGE).toMatch(/--no-fuse-qkv/);
    expect(USAGE).toMatch(/--fuse-gate-up/);
  });

  it('--symmetric quantizes the decoder without zero points', () => {
    expect(parseConvertArgs([...required, '--symmetric'])).toMatchObject({ symmetric: true });
    expect(USAGE).toMatch(/--symmetric/);
  });
});
