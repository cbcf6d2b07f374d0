import type { GenerateRequest } from '../core/engine/generate.ts';
import type { ImageInput, ImageRef } from '../core/engine/images.ts';
import type { LocalizeRequest, LocalizeTile } from '../core/engine/localize.ts';
import type { PriorComparison, RankRequest } from '../core/engine/rank.ts';
import type { Grid } from '../core/localize/grid.ts';
import { deserializeError, type SerializedError } from '../core/errors.ts';
import type { RankingMode } from '../core/ranking/index.ts';
import type { ImageSlotId } from '../core/tasks.ts';

/** An image of the page: its hash (computed when the file was read), name and file. */
export interface PageImage {
  id: string;
  name: string;
  blob: Blob;
}

/** A ranking as the page asks for it: its images as files, and the comparisons it already has. */
export interface PageRankRequest {
  reference: PageImage | null;
  candidates: PageImage[];
  mode: RankingMode;
  prior: PriorComparison[];
}

/** A local quality map as the page asks for it: the slots' images as files (the engine needs their pixels). */
export interface PageLocalizeRequest {
  reference: PageImage | null;
  a: PageImage;
  b: PageImage | null;
  /** Default: tiles near the model's input size. */
  grid?: Grid;
  /** The tiles of this map done before: only the others are asked. */
  prior?: LocalizeTile[];
}

/** The events every streamed job ends with. */
type Ending<R> = { type: 'done'; result: R } | { type: 'error'; error: SerializedError };

/**
 * One streamed job of the engine worker (an answer, a ranking): `start` sends the request once (with its buffers
 * moved, not copied) and the event channel; the events come up in order on that channel, and the job settles on
 * the last of them, `done` (its result) or `error`. The call's own reply is empty (EngineWorkerApi); it matters
 * only when the request never reached the engine (it could not be sent).
 */
export function streamJob<E extends { type: string }, R>(start: (channel: (event: E) => void) => Promise<void>, onEvent: (event: E) => void): Promise<R> {
  return new Promise((resolve, reject) => {
    const channel = (event: E) => {
      onEvent(event);
      const ending = event as unknown as Ending<R>;
      if (ending.type === 'done') resolve(ending.result);
      else if (ending.type === 'error') reject(deserializeError(ending.error));
    };
    start(channel).catch(reject);
  });
}

/**
 * The images of a request as the engine takes them: an id alone for one the worker holds (`held`), else the
 * file's bytes, and the buffers to move into the worker.
 */
export class ImageRefs {
  readonly buffers: ArrayBuffer[] = [];

  constructor(private readonly held: ReadonlySet<string> = new Set()) {}

  async ref(image: PageImage): Promise<ImageRef> {
    return this.held.has(image.id) ? image.id : this.withBytes(image);
  }

  /** The image with its file's bytes: a fresh copy per request (the transfer detaches it; the Blob stays the page's). */
  async withBytes(image: PageImage): Promise<ImageInput> {
    const bytes = new Uint8Array(await image.blob.arrayBuffer());
    this.buffers.push(bytes.buffer);
    return { id: image.id, name: image.name, bytes };
  }

  async slots(images: Partial<Record<ImageSlotId, PageImage>>): Promise<GenerateRequest['images']> {
    const refs: GenerateRequest['images'] = {};
    for (const [slot, image] of Object.entries(images) as Array<[ImageSlotId, PageImage]>) refs[slot] = await this.ref(image);
    return refs;
  }

  async rank(request: PageRankRequest): Promise<RankRequest> {
    const candidates = [];
    for (const image of request.candidates) candidates.push(await this.ref(image));
    return {
      ...(request.reference === null ? {} : { reference: await this.ref(request.reference) }),
      candidates,
      mode: request.mode,
      ...(request.prior.length === 0 ? {} : { prior: request.prior }),
    };
  }

  /** Every image with its bytes, whatever the worker holds: a map crops the pixels, not the features. */
  async localize(request: PageLocalizeRequest): Promise<LocalizeRequest> {
    return {
      ...(request.reference === null ? {} : { reference: await this.withBytes(request.reference) }),
      a: await this.withBytes(request.a),
      ...(request.b === null ? {} : { b: await this.withBytes(request.b) }),
      ...(request.grid === undefined ? {} : { grid: request.grid }),
      ...(request.prior === undefined || request.prior.length === 0 ? {} : { prior: request.prior }),
    };
  }
}
