/**
 * What the token-identity check of the engine runs: requests, configurations and the fixtures' shape. Kept free
 * of engine imports, so that Playwright's loader can read it.
 */
import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { Backend } from '../../src/core/capabilities.ts';
import type { GenerateRequest } from '../../src/core/engine/generate.ts';
import type { ImageSlotId } from '../../src/core/tasks.ts';
import type { CheckRequest } from './browser/protocol.ts';

/** Two comparisons (the second reuses the images' KV prefix) and a reasoning answer. */
export const IDENTITY_REQUESTS: Array<Omit<GenerateRequest, 'images'>> = [
  { task: 'comparison', question: { index: 0 }, maxNewTokens: 8 },
  { task: 'comparison', question: { index: 1 }, maxNewTokens: 8 },
  { task: 'reasoning', question: { index: 0 }, maxNewTokens: 8 },
];

export interface IdentityConfig {
  backend: Backend;
  variant: BundleVariant;
  /** Image rows from the bundle's vision graph, or fixed rows (the language model alone). */
  rows: CheckRequest['rows'];
  /** false: decode steps uncaptured on WebGPU (captured by default there). */
  graphCapture?: false;
}

export const IDENTITY_CONFIGS: readonly IdentityConfig[] = [
  { backend: 'wasm', variant: 'q4', rows: 'fixed' },
  { backend: 'webgpu', variant: 'q4', rows: 'fixed' },
  { backend: 'webgpu', variant: 'q4', rows: 'fixed', graphCapture: false },
  { backend: 'webgpu', variant: 'fp32', rows: 'fixed' },
  { backend: 'wasm', variant: 'fp32', rows: 'vision' },
  { backend: 'webgpu', variant: 'fp32', rows: 'vision' },
];

export const configName = (config: IdentityConfig) => `${config.backend}-${config.variant}-${config.rows}${config.graphCapture === false ? '-uncaptured' : ''}`;
export const expectedKey = (config: IdentityConfig) => `${config.variant}/${config.rows}`;

/** Everything the browser side needs, JSON-serialisable (image bytes as plain arrays, as page.evaluate carries them). */
export interface IdentityFixtures {
  /** The check page and its worker, built by Vite as the app is built. */
  siteDir: string;
  bundleDir: string;
  images: Record<ImageSlotId, { name: string; bytes: number[] }>;
  /** The Node engine's greedy token ids per `variant/rows`, one list per request. */
  expected: Record<string, number[][]>;
}

export function expectedFor(fixtures: IdentityFixtures, config: IdentityConfig): number[][] {
  const want = fixtures.expected[expectedKey(config)];
  if (want === undefined) throw new Error(`no Node answers for ${expectedKey(config)}`);
  return want;
}
