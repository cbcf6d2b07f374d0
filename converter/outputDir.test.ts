import { existsSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFreeSpace, checkOutput, stageOutput } from './outputDir.ts';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'depictqa-out-'));
}

describe('checkOutput', () => {
  it('refuses an output folder inside an input folder or beside an input file', () => {
    const root = scratch();
    mkdirSync(join(root, 'llm'));
    writeFileSync(join(root, 'ckpt.pt'), 'x');
    expect(() => checkOutput({ out: join(root, 'llm', 'bundle'), inputs: [join(root, 'llm')], force: false })).toThrow(
      /is inside the input folder/,
    );
    expect(() => checkOutput({ out: join(root, 'bundle'), inputs: [join(root, 'ckpt.pt')], force: false })).toThrow(
      expect.objectContaining({ code: 'OUTPUT_INSIDE_INPUT' }),
    );
    expect(() => checkOutput({ out: join(root, 'llm-bundle'), inputs: [join(root, 'llm')], force: false })).not.toThrow();
  });

  it('refuses a non-empty output unless forced', () => {
    const out = scratch();
    writeFileSync(join(out, 'old.txt'), 'x');
    expect(() => checkOutput({ out, inputs: [], force: false })).toThrow(expect.objectContaining({ code: 'OUTPUT_NOT_EMPTY' }));
    expect(() => checkOutput({ out, inputs: [], force: true })).not.toThrow();
  });
});

describe('checkFreeSpace', () => {
  it('passes for a small need and names the shortfall for an impossible one', () => {
    const out = join(scratch(), 'not', 'yet', 'there');
    expect(() => checkFreeSpace(out, 1024)).not.toThrow();
    expect(() => checkFreeSpace(out, 2 ** 60)).toThrow(/Not enough disk space .* needs [\d.]+ GiB, [\d.]+ GiB is free/);
  });
});

describe('stageOutput', () => {
  it('writes beside the target and appears only on commit', async () => {
    const root = scratch();
    const out = join(root, 'bundle');
    const staged = await stageOutput(out);
    writeFileSync(join(staged.stagingDir, 'manifest.json'), '{}');
    expect(existsSync(out)).toBe(false);
    await staged.commit();
    expect(readdirSync(out)).toEqual(['manifest.json']);
    expect(readdirSync(root)).toEqual(['bundle']);
  });

  it('leaves nothing behind when discarded', async () => {
    const root = scratch();
    const staged = await stageOutput(join(root, 'bundle'));
    writeFileSync(join(staged.stagingDir, 'half.onnx'), 'x');
    await staged.discard();
    expect(readdirSync(root)).toEqual([]);
  });
});
