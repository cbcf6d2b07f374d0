import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { AppError, type ErrorCode } from '../../../src/core/errors.ts';

/** Shared by the checkpoint and tiny-factory tests: temp folders, and the Python that has torch. */

export async function makeTempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

const PYTHON = process.env.TORCH_PYTHON ?? '/usr/bin/python3';

/** The interpreter with PyTorch, or why tests that need it are skipped. */
export function detectTorchPython(): { python: string; skipReason?: undefined } | { python?: undefined; skipReason: string } {
  if (!existsSync(PYTHON)) return { skipReason: `${PYTHON} does not exist` };
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skipReason: `${PYTHON} cannot import torch and numpy (${probe.stderr.trim().split('\n').at(-1) ?? ''})` };
  return { python: PYTHON };
}

/** Runs a Python script with arguments and parses the JSON it prints. */
export function runPythonJson(python: string, script: string, args: string[]): unknown {
  const output = execFileSync(python, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(output);
}

/** Expects `promise` to reject with an AppError of `code` whose one-line message mentions `mention`. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode, mention: string | RegExp): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code, appError.message).toBe(code);
  expect(appError.message).not.toContain('\n');
  if (typeof mention === 'string') expect(appError.message).toContain(mention);
  else expect(appError.message).toMatch(mention);
  return appError;
}
