import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, REPO } from './importGraph.ts';

describe('one flags module', () => {
  it("parses command lines only in cli/flags/flags.ts: no other file calls node:util's parseArgs", () => {
    const callers = [...importGraph().keys()].filter((path) => /\bparseArgs\b[^;]*from 'node:util'|from 'node:util'[^;]*\bparseArgs\b|util\.parseArgs\(/.test(readFileSync(join(REPO, path), 'utf8')));
    expect(callers).toEqual(['cli/flags/flags.ts']);
  });
});
