import { proxy, transfer, type Remote } from 'comlink';
import type { PriorComparison, RankEvent, RankRequest, RankResult } from '../core/engine/rank.ts';
import type { EngineApi } from '../core/engine/api.ts';
import { deserializeError } from '../core/errors.ts';
import type { RankingMode } from '../core/ranking/index.ts';
import type { PageImage } from './answerStream.ts';

/** A ranking as the page asks for it: its images as files, and the comparisons it already has. */
export interface PageRankRequest {
  reference: PageImage | null;
  candidates: PageImage[];
  mode: RankingMode;
  prior: PriorComparison[];
}

/** The engine's request with each image's bytes, and the buffers to move into the worker. */
export async function rankWithBytes(request: PageRankRequest): Promise<{ request: RankRequest; buffers: ArrayBuffer[] }> {
  const buffers: ArrayBuffer[] = [];
  const bytesOf = async (image: PageImage) => {
    // A fresh copy per request: the transfer detaches it, and the Blob stays the page's.
    const bytes = new Uint8Array(await image.blob.arrayBuffer());
    buffers.push(bytes.buffer);
    return { id: image.id, name: image.name, bytes };
  };
  const candidates = [];
  for (const image of request.candidates) candidates.push(await bytesOf(image));
  return {
    request: {
      ...(request.reference === null ? {} : { reference: await bytesOf(request.reference) }),
      candidates,
      mode: request.mode,
      ...(request.prior.length === 0 ? {} : { prior: request.prior }),
    },
    buffers,
  };
}

/**
 * One ranking: the request goes down once, the events come up in order on one channel, and the ranking settles on
 * the last of them, `done` or `error` (as `streamAnswer` does for an answer).
 */
export function streamRank(engine: Remote<EngineApi>, request: RankRequest, buffers: ArrayBuffer[], onEvent: (event: RankEvent) => void): Promise<RankResult> {
  return new Promise((resolve, reject) => {
    const handle = (event: RankEvent) => {
      onEvent(event);
      if (event.type === 'done') resolve(event.result);
      else if (event.type === 'error') reject(deserializeError(event.error));
    };
    engine.rank(transfer(request, buffers), proxy(handle)).catch(reject);
  });
}
