/**
 * Errors with a stable `code` that survive the worker boundary (see `workers/workerErrors.ts`).
 * `message` says what went wrong; `hint` says what the user can do about it.
 */
export type ErrorCode =
  // Browser and workers
  | 'WEBGPU_UNAVAILABLE'
  | 'WEBGPU_ADAPTER_FAILED'
  | 'WORKER_FAILED'
  | 'ENGINE_WORKER_LOST'
  // Web bundles
  | 'MANIFEST_INVALID'
  | 'BUNDLE_NOT_FOUND'
  | 'BUNDLE_FILE_MISSING'
  | 'BUNDLE_FILE_SIZE_MISMATCH'
  | 'BUNDLE_HASH_MISMATCH'
  | 'BUNDLE_UNSAFE_PATH'
  | 'BUNDLE_DOWNLOAD_FAILED'
  | 'STORAGE_QUOTA_EXCEEDED'
  | 'STORAGE_UNAVAILABLE'
  // Reading original checkpoints and converting them (tools/)
  | 'FILE_NOT_FOUND'
  | 'FILE_TRUNCATED'
  | 'CHECKPOINT_INVALID'
  | 'CHECKPOINT_NON_FINITE'
  | 'PICKLE_FORBIDDEN_GLOBAL'
  | 'DELTA_SHAPE_MISMATCH'
  | 'DELTA_UNKNOWN_KEY'
  | 'TOKENIZER_INVALID'
  | 'OUTPUT_NOT_EMPTY'
  | 'OUTPUT_INSIDE_INPUT'
  | 'DISK_SPACE'
  | 'WRITE_FAILED'
  | 'BAD_ARGUMENTS'
  | 'SHARD_LOCKED'
  // Images and classic metrics
  | 'IMAGE_DECODE_FAILED'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_TOO_SMALL'
  | 'IMAGE_SIZE_MISMATCH'
  // Generation (sampling, stopping, answers, scores)
  | 'GENERATION_SETTINGS_INVALID'
  | 'LOGITS_INVALID'
  | 'SCORES_INPUT_INVALID'
  // Inference engine (sessions, requests, KV cache)
  | 'ENGINE_NOT_LOADED'
  | 'ENGINE_BUSY'
  | 'VARIANT_UNAVAILABLE'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_RUN_FAILED'
  | 'REQUEST_INVALID'
  | 'RUN_OPEN_ELSEWHERE'
  | 'IMAGE_MISSING'
  | 'IMAGE_NOT_ENCODED'
  | 'CONTEXT_TOO_LONG'
  // The GPU under the model (WebGPU error scopes, uncaptured errors, a lost device)
  | 'GPU_DEVICE_LOST'
  | 'GPU_OUT_OF_MEMORY'
  | 'GPU_ERROR'
  | 'INTERNAL';

export interface AppErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** The plain-data form of an error, as it crosses `postMessage` and as stores keep it. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  hint?: string;
  cause?: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof AppError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.cause === undefined ? {} : { cause: describeCause(error.cause) }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  if (error instanceof Error) {
    return {
      code: 'INTERNAL',
      message: error.message || error.name,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { code: 'INTERNAL', message: String(error) };
}

export function deserializeError(data: SerializedError): AppError {
  const error = new AppError(data.code, data.message, {
    ...(data.hint === undefined ? {} : { hint: data.hint }),
    ...(data.cause === undefined ? {} : { cause: data.cause }),
  });
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
