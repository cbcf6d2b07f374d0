import type { Capabilities } from './capabilities.ts';

/**
 * The engine as the UI sees it. `workers/engine.worker.ts` exposes an implementation through Comlink;
 * Node tools and tests use the same implementation in-thread.
 */
export interface EngineApi {
  /** Probes WebGPU and the CPU fallback once; later calls return the same answer. */
  capabilities(): Promise<Capabilities>;
}
