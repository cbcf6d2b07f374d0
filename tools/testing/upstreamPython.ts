import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The Python that runs DepictQA's own library as an oracle: a virtual environment over Debian's Python (so that
 * apt's torch 1.13 is visible) with transformers 4.35.0, DepictQA's pin, from PyPI. `.ci/run` makes it with
 * tools/oracles/venv/setup.sh; `UPSTREAM_PYTHON` points elsewhere.
 */
export const UPSTREAM_PYTHON = process.env.UPSTREAM_PYTHON ?? fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
export const TRANSFORMERS_VERSION = '4.35.0';

export type UpstreamPython = { python: string; skipReason?: undefined } | { python?: undefined; skipReason: string };

let cached: UpstreamPython | undefined;

/** The interpreter with transformers 4.35.0 (and torch), or why the tests that need it cannot run here. */
export function detectUpstreamPython(): UpstreamPython {
  cached ??= probe();
  return cached;
}

function probe(): UpstreamPython {
  const setup = 'bash tools/oracles/venv/setup.sh';
  if (!existsSync(UPSTREAM_PYTHON)) return { skipReason: `${UPSTREAM_PYTHON} does not exist (make it with \`${setup}\`)` };
  const run = spawnSync(UPSTREAM_PYTHON, ['-c', 'import torch, sentencepiece, transformers; print(transformers.__version__)'], {
    encoding: 'utf8',
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
  });
  if (run.status !== 0) return { skipReason: `${UPSTREAM_PYTHON} cannot import torch, sentencepiece and transformers (${run.stderr.trim().split('\n').at(-1) ?? ''})` };
  const version = run.stdout.trim();
  if (version !== TRANSFORMERS_VERSION) return { skipReason: `${UPSTREAM_PYTHON} has transformers ${version}, not ${TRANSFORMERS_VERSION} (run \`${setup}\`)` };
  return { python: UPSTREAM_PYTHON };
}

/**
 * `describe.skipIf` condition for suites that need the upstream library: skipped with the reason printed, except in
 * CI (`CI` set), where `.ci/run` made the environment and a skip would hide that it broke.
 */
export function upstreamSkip(suite: string): boolean {
  const upstream = detectUpstreamPython();
  if (upstream.skipReason === undefined) return false;
  if (process.env.CI) throw new Error(`${suite}: ${upstream.skipReason}; in CI, .ci/run makes this environment`);
  console.warn(`Skipping "${suite}": ${upstream.skipReason}.`);
  return true;
}

/** Environment for the oracle's runs: nothing may reach for the Hugging Face Hub. */
export const UPSTREAM_ENV = { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', PYTHONUNBUFFERED: '1' };
