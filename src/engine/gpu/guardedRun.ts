import { gpuFailureError } from './gpuErrors.ts';
import type { GpuGuard } from './gpuGuard.ts';

/**
 * A model run inside the guard's error scopes. Resolves to the run's value and `check`: a promise that rejects
 * with the GPU failure (GPU_DEVICE_LOST, GPU_OUT_OF_MEMORY, GPU_ERROR) if the run's scopes caught one, or if the
 * device failed meanwhile. The caller awaits `check` before it shows anything computed from `value`, as late as
 * it likes: the scopes settle on their own while the next run is queued, so no step waits for the GPU twice.
 * A run that throws is explained: when the GPU failed, its error replaces onnxruntime's.
 */
export async function guardedRun<T>(guard: GpuGuard, during: string, run: () => Promise<T>): Promise<{ value: T; check: Promise<void> }> {
  const before = guard.failed;
  if (before !== null) throw gpuFailureError(before);
  const scope = guard.begin(during);
  let value: T;
  try {
    value = await run();
  } catch (error) {
    const scoped = await scope.end();
    const failure = scoped ?? (await guard.explain());
    throw failure === null ? error : gpuFailureError(failure, error);
  }
  const check = scope.end().then((failure) => {
    if (failure !== null) throw gpuFailureError(failure);
  });
  // Read when the caller gets to it; until then an early rejection must not count as unhandled.
  check.catch(() => undefined);
  return { value, check };
}

/** A guarded run whose result is needed at once (loading, image encoding): waits for its scopes. */
export async function guardedNow<T>(guard: GpuGuard, during: string, run: () => Promise<T>): Promise<T> {
  const { value, check } = await guardedRun(guard, during, run);
  await check;
  return value;
}
