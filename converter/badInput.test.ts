import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, truncateSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseSource, openCheckpoint, writeTorchZip } from './checkpoint/index.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from '../tools/tiny/makeTinyCheckpoint.ts';
import type { BundleVariant } from '../src/core/bundle/manifest.ts';
import { convertBundle } from './convertBundle.ts';
import { SILENT_PROGRESS } from './progress.ts';

const TORCH_FIXTURES = resolve(import.meta.dirname, '../tools/fixtures/torch');

let root: string;
let tiny: TinyCheckpoint;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'depictqa-bad-'));
  tiny = await makeTinyCheckpoint({ out: join(root, 'original'), seed: 3 });
}, 60_000);

/** A private copy of the tiny checkpoint to damage. */
function copyOfTiny(name: string): { llm: string; delta: string; dir: string } {
  const dir = join(root, name);
  cpSync(join(root, 'original'), dir, { recursive: true });
  return { dir, llm: join(dir, 'llm'), delta: join(dir, 'delta', 'ckpt.pt') };
}

/** Rewrites the delta with `edit` applied to its tensors. */
async function rewriteDelta(path: string, edit: (tensors: Map<string, { dtype: 'F16'; shape: number[]; data: Float32Array }>) => void) {
  const checkpoint = await openCheckpoint(path);
  const tensors = new Map<string, { dtype: 'F16'; shape: number[]; data: Float32Array }>();
  for (const [name, entry] of checkpoint.tensors) tensors.set(name, { dtype: 'F16', shape: entry.shape, data: await entry.read() });
  await checkpoint.close();
  edit(tensors);
  await writeTorchZip(path, [...tensors].map(([name, tensor]) => denseSource(name, tensor)));
}

/** Runs the converter expecting a failure; checks the error and that nothing was written. */
async function expectRefusal(llm: string, delta: string, code: string, message: RegExp, variants: BundleVariant[] = ['q4']) {
  const out = join(root, `out-${Math.random().toString(36).slice(2)}`);
  const error = await convertBundle({ llm, delta, out, variants, progress: SILENT_PROGRESS }).catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain('\n');
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(root).filter((name) => name.includes('.partial-'))).toEqual([]);
}

describe('the converter refuses bad input with one line naming the file, and writes nothing', () => {
  it('a shard named in the index that is missing', async () => {
    const input = copyOfTiny('missing-shard');
    rmSync(join(input.llm, 'pytorch_model-00002-of-00002.bin'));
    await expectRefusal(input.llm, input.delta, 'FILE_NOT_FOUND', /pytorch_model-00002-of-00002\.bin/);
  });

  it('NaN and Infinity in one LoRA tensor, for every precision: the tensor, its file and the counts', async () => {
    const input = copyOfTiny('non-finite');
    let edited = '';
    await rewriteDelta(input.delta, (tensors) => {
      const [name, tensor] = [...tensors].find(([key]) => key.includes('lora_B'))!;
      edited = name;
      tensor.data[0] = Number.NaN;
      tensor.data[5] = Number.NaN;
      tensor.data[7] = Number.POSITIVE_INFINITY;
    });
    const named = new RegExp(`ckpt\\.pt: tensor "${edited.replaceAll('.', '\\.')}" \\[\\d+, \\d+\\] holds 2 NaN and 1 infinite values of \\d+\\.`);
    for (const variant of ['q4', 'q4f16', 'fp32'] as const) await expectRefusal(input.llm, input.delta, 'CHECKPOINT_NON_FINITE', named, [variant]);
  }, 60_000);

  it('a truncated shard', async () => {
    const input = copyOfTiny('truncated');
    const shard = join(input.llm, 'pytorch_model-00001-of-00002.bin');
    truncateSync(shard, Math.floor(statSync(shard).size / 2));
    await expectRefusal(input.llm, input.delta, 'FILE_TRUNCATED', /pytorch_model-00001-of-00002\.bin/);
  });

  it('a pickle that asks for os.system', async () => {
    await expectRefusal(tiny.llmDir, join(TORCH_FIXTURES, 'evil_os_system.pt'), 'PICKLE_FORBIDDEN_GLOBAL', /evil_os_system\.pt.*(os|posix)\.system/);
  });

  it('a delta made for another hidden size', async () => {
    const input = copyOfTiny('wrong-shape');
    await rewriteDelta(input.delta, (tensors) => {
      const key = 'llm.base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight';
      tensors.set(key, { dtype: 'F16', shape: [16, 128], data: new Float32Array(16 * 128) });
    });
    await expectRefusal(input.llm, input.delta, 'DELTA_SHAPE_MISMATCH', /ckpt\.pt.*q_proj/);
  });

  it('a delta with a key nobody understands', async () => {
    const input = copyOfTiny('unknown-key');
    await rewriteDelta(input.delta, (tensors) => {
      tensors.set('llm.base_model.model.lm_head.lora_A.default.weight', { dtype: 'F16', shape: [16, 64], data: new Float32Array(16 * 64) });
    });
    await expectRefusal(input.llm, input.delta, 'DELTA_UNKNOWN_KEY', /ckpt\.pt.*lm_head\.lora_A/);
  });

  it('a file that is not a checkpoint', async () => {
    const notes = join(copyOfTiny('not-a-checkpoint').dir, 'notes.pt');
    writeFileSync(notes, 'these are my notes, not a checkpoint\n');
    await expectRefusal(tiny.llmDir, notes, 'CHECKPOINT_INVALID', /notes\.pt/);
  });

  it('--out inside an input folder', async () => {
    const out = join(tiny.llmDir, 'bundle');
    const error = await convertBundle({ llm: tiny.llmDir, delta: tiny.deltaPath, out, variants: ['q4'], progress: SILENT_PROGRESS }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'OUTPUT_INSIDE_INPUT' });
    expect(existsSync(out)).toBe(false);
  });
});

describe('npm run convert', () => {
  const run = promisify(execFile);
  const cli = resolve(import.meta.dirname, '../cli/convert.ts');
  const tsx = resolve(import.meta.dirname, '../node_modules/.bin/tsx');

  it('exits non-zero with the message on stderr, and prints a dry-run plan without writing', async () => {
    const failure = await run(tsx, [cli, '--llm', tiny.llmDir, '--delta', join(root, 'nowhere.pt'), '--out', join(root, 'x')]).catch((caught: unknown) => caught);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/^convert: .*nowhere\.pt/);

    const usage = await run(tsx, [cli, '--llm', tiny.llmDir]).catch((caught: unknown) => caught);
    expect(usage).toMatchObject({ code: 2 });
    expect((usage as { stderr: string }).stderr).toContain('--delta is required');

    const out = join(root, 'dry');
    const { stderr } = await run(tsx, [cli, '--llm', tiny.llmDir, '--delta', tiny.deltaPath, '--out', out, '--dry-run', '--precision', 'q4,fp32']);
    expect(stderr).toMatch(/q4: about [\d.]+ MiB/);
    expect(stderr).toMatch(/Dry run: would write about/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
