/** What went wrong on the GPU, in the order of how bad it is for the model held there. */
export type GpuFailureKind = 'device-lost' | 'out-of-memory' | 'validation' | 'internal';

export interface GpuFailure {
  kind: GpuFailureKind;
  /** The browser's own words (the GPUError's or the lost info's message). */
  message: string;
  /** What the engine was doing, e.g. 'answering', 'loading the model', 'reading an image'. */
  during: string;
}

/** The parts of a GPUDevice the guard uses, so that unit tests can hand it a fake. */
export interface GuardedDevice {
  pushErrorScope(filter: GPUErrorFilter): void;
  popErrorScope(): Promise<GPUError | null>;
  addEventListener(type: 'uncapturederror', listener: (event: GPUUncapturedErrorEvent) => void): void;
  removeEventListener(type: 'uncapturederror', listener: (event: GPUUncapturedErrorEvent) => void): void;
  readonly lost: Promise<GPUDeviceLostInfo>;
}

/** One open set of error scopes; `end` pops them and returns a promise of the first error they caught. */
export interface GpuScope {
  end(): Promise<GpuFailure | null>;
}

// Pushed in this order, popped in the reverse; an OOM outranks a validation error it may have caused.
const FILTERS: readonly GPUErrorFilter[] = ['out-of-memory', 'validation', 'internal'];

/**
 * Watches onnxruntime's GPU device for the model's lifetime: one `uncapturederror` listener and the `lost`
 * promise set a sticky failure, and each model run is wrapped in error scopes whose results are read later
 * (`GpuScope.end` returns a promise that is awaited before the run's output is shown), so a decode step pays
 * six cheap calls and no extra GPU round trip. Without a device (the wasm backend) everything is a no-op.
 */
export class GpuGuard {
  private failure: GpuFailure | null = null;
  private current = 'loading the model';
  private disposed = false;
  private readonly lostSeen: Promise<void>;
  private readonly onUncaptured = (event: GPUUncapturedErrorEvent) => this.record(classify(event.error), this.current);

  constructor(private readonly device: GuardedDevice | null) {
    if (device === null) {
      this.lostSeen = new Promise<void>(() => undefined);
      return;
    }
    device.addEventListener('uncapturederror', this.onUncaptured);
    this.lostSeen = device.lost.then((info) => {
      // Our own destroy at unload is not a failure.
      if (this.disposed) return;
      this.record({ kind: 'device-lost', message: info.message || `reason: ${info.reason ?? 'unknown'}` }, this.current);
    });
  }

  get hasDevice(): boolean {
    return this.device !== null;
  }

  /** The first failure seen, sticky until the model is rebuilt; null while the device is healthy. */
  get failed(): GpuFailure | null {
    return this.failure;
  }

  /** Opens the error scopes of one model run (or of a whole load); `during` names it in messages. */
  begin(during: string): GpuScope {
    this.current = during;
    const device = this.device;
    if (device === null || this.disposed) return { end: async () => this.failure };
    for (const filter of FILTERS) device.pushErrorScope(filter);
    return {
      end: () => {
        const popped = FILTERS.map(() => device.popErrorScope().catch((error: unknown) => ({ message: String(error) }) as GPUError));
        return Promise.all(popped).then((errors) => {
          // popped[0] is the innermost scope ('internal'); report the outermost error first: OOM, then validation.
          const first = [...errors].reverse().find((error): error is GPUError => error !== null);
          if (first !== undefined) this.record(classify(first), during);
          return this.failure;
        });
      },
    };
  }

  /**
   * After a run threw: gives the device a moment to report why (a lost device's promise settles a task after the
   * run fails), then returns the failure, if the GPU had one. Only on the error path, so it costs nothing per step.
   */
  async explain(waitMs = 50): Promise<GpuFailure | null> {
    if (this.device === null || this.failure !== null) return this.failure;
    await Promise.race([this.lostSeen, new Promise((resolve) => setTimeout(resolve, waitMs))]);
    return this.failure;
  }

  /** Stops listening; a later loss (the engine destroying its own buffers, the next device) is not this model's. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.device?.removeEventListener('uncapturederror', this.onUncaptured);
  }

  private record(failure: Omit<GpuFailure, 'during'>, during: string): void {
    if (this.disposed || this.failure !== null) return;
    this.failure = { ...failure, during };
  }
}

/** The error's kind from its class; the name check covers errors that crossed a realm or a fake device. */
export function classify(error: GPUError): Omit<GpuFailure, 'during'> {
  const name = error.constructor?.name ?? '';
  const kind: GpuFailureKind =
    name === 'GPUOutOfMemoryError' ? 'out-of-memory' : name === 'GPUValidationError' ? 'validation' : name === 'GPUInternalError' ? 'internal' : 'internal';
  return { kind, message: error.message };
}
