import { describe, expect, it } from 'vitest';
import { acceptCandidates } from './candidates.ts';

const image = (id: string, name = `${id}.png`) => ({ id, name });

describe('acceptCandidates', () => {
  it('refuses a file already among the candidates or twice in one batch, naming it', () => {
    const { accepted, notices } = acceptCandidates([image('a')], [image('b'), image('a', 'copy.png'), image('b', 'b2.png'), image('c')]);
    expect(accepted.map((x) => x.id)).toEqual(['b', 'c']);
    expect(notices).toEqual(['Already among the candidates (same SHA-256), not added: copy.png (same file as a.png), b2.png (same file as b.png).']);
  });

  it('stops at the limit and says how many were left out', () => {
    const incoming = Array.from({ length: 70 }, (_, k) => image(`i${k}`));
    const { accepted, notices } = acceptCandidates([image('x')], incoming);
    expect(accepted).toHaveLength(63);
    expect(notices[0]).toMatch(/^A ranking takes at most 64 candidates: 7 files were not added \(i63.png, i64.png, i65.png, i66.png, i67.png and 2 more\)/);
  });
});
