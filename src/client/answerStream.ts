import { proxy, transfer, type Remote } from 'comlink';
import type { GenerateEvent, GenerateRequest, GenerateResult } from '../core/engine/generate.ts';
import type { EngineApi } from '../core/engine/api.ts';
import { deserializeError } from '../core/errors.ts';
import type { ImageSlotId } from '../core/tasks.ts';

/** An image of the page: its hash (computed when the file was read), name and file. */
export interface PageImage {
  id: string;
  name: string;
  blob: Blob;
}

/** The request with each image's bytes, and the buffers to move (not copy) into the worker. */
export async function withImageBytes(
  request: Omit<GenerateRequest, 'images'>,
  images: Partial<Record<ImageSlotId, PageImage>>,
): Promise<{ request: GenerateRequest; buffers: ArrayBuffer[] }> {
  const refs: GenerateRequest['images'] = {};
  const buffers: ArrayBuffer[] = [];
  for (const [slot, image] of Object.entries(images) as Array<[ImageSlotId, PageImage]>) {
    // A fresh copy per request: the transfer detaches it, and the Blob stays the page's.
    const bytes = new Uint8Array(await image.blob.arrayBuffer());
    refs[slot] = { id: image.id, name: image.name, bytes };
    buffers.push(bytes.buffer);
  }
  return { request: { ...request, images: refs }, buffers };
}

/**
 * One answer: the request goes down once (image bytes transferred), the events come up in order on one
 * channel, and the answer settles on the last of them, `done` or `error`. The call's own reply travels on
 * another channel and may come before the last tokens, so it is not waited for; it matters only when the
 * request never reached the engine (it could not be sent).
 */
export function streamAnswer(
  engine: Remote<EngineApi>,
  request: GenerateRequest,
  buffers: ArrayBuffer[],
  onEvent: (event: GenerateEvent) => void,
): Promise<GenerateResult> {
  return new Promise((resolve, reject) => {
    const handle = (event: GenerateEvent) => {
      onEvent(event);
      if (event.type === 'done') resolve(event.result);
      else if (event.type === 'error') reject(deserializeError(event.error));
    };
    engine.generate(transfer(request, buffers), proxy(handle)).catch(reject);
  });
}
