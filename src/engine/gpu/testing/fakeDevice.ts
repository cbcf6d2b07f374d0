import type { GuardedDevice } from '../gpuGuard.ts';

/** Stand-ins for the browser's GPUError classes: the guard tells them apart by class name. */
export class GPUOutOfMemoryError extends Error {}
export class GPUValidationError extends Error {}
export class GPUInternalError extends Error {}

type Listener = (event: GPUUncapturedErrorEvent) => void;

/**
 * A GPUDevice as far as the guard sees it, following the WebGPU rules: an error goes to the innermost open scope
 * whose filter matches and that holds no error yet (else it is dropped there), or, outside any matching scope,
 * to the `uncapturederror` listeners; `popErrorScope` settles in a later microtask; a lost device pops null.
 */
export class FakeDevice implements GuardedDevice {
  readonly lost: Promise<GPUDeviceLostInfo>;
  pushes = 0;
  pops = 0;
  private scopes: Array<{ filter: GPUErrorFilter; error: Error | null }> = [];
  private listeners = new Set<Listener>();
  private markLost!: (info: GPUDeviceLostInfo) => void;
  private isLost = false;

  constructor() {
    this.lost = new Promise((resolve) => (this.markLost = resolve));
  }

  get openScopes(): number {
    return this.scopes.length;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  pushErrorScope(filter: GPUErrorFilter): void {
    this.pushes++;
    this.scopes.push({ filter, error: null });
  }

  popErrorScope(): Promise<GPUError | null> {
    this.pops++;
    const scope = this.scopes.pop();
    if (scope === undefined) return Promise.reject(new Error('OperationError: no error scope to pop'));
    return Promise.resolve().then(() => (this.isLost ? null : (scope.error as GPUError | null)));
  }

  addEventListener(_type: 'uncapturederror', listener: Listener): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'uncapturederror', listener: Listener): void {
    this.listeners.delete(listener);
  }

  /** What a failing GPU call does. */
  raise(error: Error): void {
    const filter: GPUErrorFilter = error instanceof GPUOutOfMemoryError ? 'out-of-memory' : error instanceof GPUValidationError ? 'validation' : 'internal';
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i]!;
      if (scope.filter !== filter) continue;
      scope.error ??= error;
      return;
    }
    for (const listener of this.listeners) listener({ error } as unknown as GPUUncapturedErrorEvent);
  }

  /**
   * `device.destroy()`: the lost promise settles asynchronously, but before any scope popped after the loss, as
   * in Chromium, where both answers come back over the GPU process's one ordered channel.
   */
  destroy(message = 'Device was destroyed.'): void {
    this.isLost = true;
    void Promise.resolve().then(() => this.markLost({ reason: 'destroyed', message } as GPUDeviceLostInfo));
  }
}
