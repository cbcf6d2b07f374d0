import { AppError } from '../../core/errors.ts';
import type { GpuFailure } from './gpuGuard.ts';

/** From this many GPU failures in a row on, the hint asks for smaller settings rather than another try. */
export const REPEATED_FAILURES = 2;

const SMALLER = 'load the model with a shorter max context or the q4 variant, use smaller or fewer images, or choose the CPU backend';
const RELOAD = 'Try again: the model is rebuilt from the files already loaded (nothing is downloaded again).';

/** A GPU failure as the user reads it: what happened and while doing what, and what to do. */
export function gpuFailureError(failure: GpuFailure, cause?: unknown): AppError {
  const options = (hint: string) => ({ hint, ...(cause === undefined ? {} : { cause }) });
  switch (failure.kind) {
    case 'device-lost':
      return new AppError(
        'GPU_DEVICE_LOST',
        `The GPU device was lost while ${failure.during} (${failure.message})${failure.during === 'answering' ? '; the answer stops before anything computed after it' : ''}.`,
        options(`${RELOAD} Closing other GPU-heavy tabs helps.`),
      );
    case 'out-of-memory':
      return new AppError(
        'GPU_OUT_OF_MEMORY',
        `The GPU ran out of memory while ${failure.during} (${failure.message}).`,
        options(`${RELOAD} If it happens again, ${SMALLER}; closing other GPU-heavy tabs helps.`),
      );
    default:
      return new AppError('GPU_ERROR', `The GPU reported an ${failure.kind} error while ${failure.during} (${failure.message}).`, options(RELOAD));
  }
}

/** Whether an error means the model's GPU state can no longer be trusted (the sessions must be rebuilt). */
export function isGpuFailure(error: unknown): error is AppError {
  return error instanceof AppError && (error.code === 'GPU_DEVICE_LOST' || error.code === 'GPU_OUT_OF_MEMORY' || error.code === 'GPU_ERROR');
}

/** The same error with the advice for repeated failures added once `inARow` reaches REPEATED_FAILURES. */
export function withRepeatAdvice(error: AppError, inARow: number): AppError {
  if (inARow < REPEATED_FAILURES) return error;
  const repeated = new AppError(error.code, error.message, {
    hint: `It failed ${inARow} times in a row: ${SMALLER}. ${error.hint ?? ''}`.trim(),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
  if (error.stack !== undefined) repeated.stack = error.stack;
  return repeated;
}
