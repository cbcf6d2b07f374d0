/**
 * onnxruntime-web with every `session.run` timed: the engine's host hands this object out as its runtime, so
 * the bench sees each run of the decoder and of embed_tokens without a hook inside the engine. Works the same in
 * Node and in the browser worker.
 */
import type { Ort, OrtSession } from '../../../src/engine/runtime/graphSession.ts';

/** One `session.run`: which graph (by its inputs), how many positions it was fed, when it started and how long it took. */
export interface RunRecord {
  graph: 'decoder' | 'embed_tokens' | 'other';
  positions: number;
  startMs: number;
  ms: number;
}

export interface RunLog {
  records: RunRecord[];
  clear(): void;
}

function graphOf(session: OrtSession): RunRecord['graph'] {
  if (session.inputNames.includes('seqlens_k')) return 'decoder';
  if (session.inputNames.includes('input_ids')) return 'embed_tokens';
  return 'other';
}

/** Positions in a run: the second dimension of its inputs_embeds / input_ids feed, 0 for other graphs. */
function positionsOf(feeds: unknown): number {
  const record = feeds as Record<string, { dims?: readonly number[] } | undefined>;
  const dims = (record.inputs_embeds ?? record.input_ids)?.dims;
  return dims !== undefined && dims.length >= 2 ? dims[1]! : 0;
}

/** `ort` with InferenceSession.create wrapped so that each session's `run` appends to `log`. */
export function timedOrt(ort: Ort, log: RunLog): Ort {
  const create = (async (...args: Parameters<Ort['InferenceSession']['create']>) => {
    const session = await (ort.InferenceSession.create as (...a: typeof args) => Promise<OrtSession>)(...args);
    const graph = graphOf(session);
    const run = session.run.bind(session) as (...a: unknown[]) => Promise<unknown>;
    (session as unknown as { run: typeof run }).run = async (...runArgs: unknown[]) => {
      const startMs = performance.now();
      try {
        return await run(...runArgs);
      } finally {
        log.records.push({ graph, positions: positionsOf(runArgs[0]), startMs, ms: performance.now() - startMs });
      }
    };
    return session;
  }) as Ort['InferenceSession']['create'];
  // The module namespace is frozen: a new object with the same members and a wrapped InferenceSession.
  return { ...ort, InferenceSession: Object.assign(Object.create(ort.InferenceSession) as object, { create }) } as unknown as Ort;
}

export function createRunLog(): RunLog {
  const log: RunLog = {
    records: [],
    clear() {
      log.records.length = 0;
    },
  };
  return log;
}
