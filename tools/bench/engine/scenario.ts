/**
 * What the engine bench measures, the same in Node and in the browser worker: two loads of one bundle (the first
 * cold, the second from what the first left: OPFS cache in the browser, the OS file cache in Node), the vision
 * pass per image, and for each context size one answer whose prompt fills about that many positions, with the
 * decoder's own run time read from the timed `session.run` calls of the decode steps.
 */
import type { BundleVariant } from '../../../src/core/bundle/manifest.ts';
import type { Backend } from '../../../src/core/capabilities.ts';
import type { EngineCounters } from '../../../src/core/engine/api.ts';
import type { GenerationStats } from '../../../src/core/engine/generate.ts';
import type { ImageInput } from '../../../src/core/engine/images.ts';
import type { BundleSource } from '../../../src/core/engine/load.ts';
import type { TaskId } from '../../../src/core/tasks.ts';
import type { Engine } from '../../../src/engine/Engine.ts';
import type { RunLog } from './timedOrt.ts';

export interface ContextPlan {
  /** '1k', '2k': what the table calls it. */
  name: string;
  task: TaskId;
  /** Indexes into the scenario's images: slot A, and slot B for two-image tasks. */
  a: number;
  b?: number;
  /** The user's question, long enough to bring the prompt to the planned size. */
  question: string;
}

export interface ScenarioRequest {
  source: BundleSource;
  variant: BundleVariant;
  backend: Backend;
  maxContext: number;
  images: ImageInput[];
  contexts: ContextPlan[];
  maxNewTokens: number;
  /** 2: load, unload and load again (cold, then cached); 1: one cold load. */
  loads: 1 | 2;
}

export interface ContextResult {
  name: string;
  positions: number;
  stats: GenerationStats;
  /** session.run time of the decode steps: the decoder's and embed_tokens' (one position each). */
  decoderRunMs: number;
  embedRunMs: number;
  decodeSteps: number;
}

export interface ScenarioResult {
  firstLoadMs: number;
  /** null with one load. */
  secondLoadMs: number | null;
  /** Vision encoder ms of each image as encoded (decode + preprocess + graph). */
  visionMs: number[];
  imageRows: number[];
  contexts: ContextResult[];
  counters: EngineCounters;
  prefillChunk: number;
}

export async function runScenario(
  engine: Engine,
  log: RunLog,
  request: ScenarioRequest,
  note: (line: string) => void = () => {},
  /** Called once the first load is done, before anything else runs (the 7B bench measures memory there). */
  afterFirstLoad: () => Promise<void> = async () => {},
): Promise<ScenarioResult> {
  const options = { variant: request.variant, backend: request.backend, maxContext: request.maxContext };
  let started = performance.now();
  let info = await engine.load(request.source, undefined, options);
  const firstLoadMs = performance.now() - started;
  note(`first load ${firstLoadMs.toFixed(0)} ms`);
  await afterFirstLoad();
  let secondLoadMs: number | null = null;
  if (request.loads === 2) {
    await engine.unload();
    started = performance.now();
    info = await engine.load(request.source, undefined, options);
    secondLoadMs = performance.now() - started;
    note(`second load ${secondLoadMs.toFixed(0)} ms`);
  }

  // Only the images some context shows (a run of the 1k context alone encodes one).
  const used = new Set(request.contexts.flatMap((plan) => (plan.b === undefined ? [plan.a] : [plan.a, plan.b])));
  const encoded: Array<Awaited<ReturnType<Engine['encodeImage']>> | undefined> = [];
  for (const [index, image] of request.images.entries()) encoded.push(used.has(index) ? await engine.encodeImage(image) : undefined);
  const shown = encoded.filter((image) => image !== undefined);
  note(`vision ${shown.map((image) => image.visionMs.toFixed(0)).join(', ')} ms`);

  const contexts: ContextResult[] = [];
  for (const plan of request.contexts) {
    const images = { a: encoded[plan.a]!.id, ...(plan.b === undefined ? {} : { b: encoded[plan.b]!.id }) };
    log.clear();
    const calledAt = performance.now();
    const result = await engine.generate({ task: plan.task, images, question: { text: plan.question }, maxNewTokens: request.maxNewTokens });
    // Decode steps are the runs after the first token (the prefill's last logits gave it).
    const firstTokenAt = calledAt + result.stats.timeToFirstTokenMs;
    const steps = log.records.filter((record) => record.startMs >= firstTokenAt);
    const sum = (graph: string) => steps.filter((record) => record.graph === graph).reduce((total, record) => total + record.ms, 0);
    contexts.push({
      name: plan.name,
      positions: result.prompt.positions,
      stats: result.stats,
      decoderRunMs: sum('decoder'),
      embedRunMs: sum('embed_tokens'),
      decodeSteps: steps.filter((record) => record.graph === 'decoder').length,
    });
    note(`${plan.name}: ${result.prompt.positions} positions, ${result.stats.decodeTokensPerSecond.toFixed(2)} tok/s`);
  }
  const counters = await engine.counters();
  await engine.unload();
  return {
    firstLoadMs,
    secondLoadMs,
    visionMs: shown.map((image) => image.visionMs),
    imageRows: shown.map((image) => image.rows),
    contexts,
    counters,
    prefillChunk: info.prefillChunk,
  };
}
