import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The Python with numpy and SciPy that the statistics' fixture scripts run on (Debian's python3-scipy;
 * `RANKING_PYTHON` points elsewhere), or why the checks that rerun a script are skipped here.
 */
export const SCIPY_PYTHON = process.env.RANKING_PYTHON ?? '/usr/bin/python3';

let skipReason: string | null | undefined;

/** Why a script that needs numpy and SciPy cannot run here; null when it can. Printed once per file that asks. */
export function scipySkipReason(check: string): string | null {
  skipReason ??= !existsSync(SCIPY_PYTHON)
    ? `${SCIPY_PYTHON} does not exist`
    : spawnSync(SCIPY_PYTHON, ['-c', 'import numpy, scipy'], { encoding: 'utf8' }).status !== 0
      ? `${SCIPY_PYTHON} cannot import numpy and scipy (apt-get install python3-scipy)`
      : null;
  if (skipReason !== null) console.log(`Skipping ${check}: ${skipReason}.`);
  return skipReason;
}

/** Runs a fixture script with `--stdout` and parses what it would write. */
export function freshFixture<T>(script: string): { status: number | null; stderr: string; fixture: T | null } {
  const run = spawnSync(SCIPY_PYTHON, [script, '--stdout'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return { status: run.status, stderr: run.stderr, fixture: run.status === 0 ? (JSON.parse(run.stdout) as T) : null };
}
