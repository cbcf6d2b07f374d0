import type { GenerateRequest, GenerateResult } from '../../core/engine/generate.ts';
import type { ImageInput } from '../../core/engine/images.ts';
import type { LocalizeEvent, LocalizeRequest } from '../../core/engine/localize.ts';
import { AppError } from '../../core/errors.ts';
import { localize, type LocalizeRecord, type TileJudge } from '../../core/localize/localize.ts';
import type { RgbImage } from '../../core/vision/rgbImage.ts';
import type { WorkCounters } from '../llm/LanguageModel.ts';
import type { LoadedModel } from '../openModel.ts';
import { yieldToEventLoop } from '../generation/yieldToEventLoop.ts';
import { compareImages } from './compareImages.ts';

export interface LocalizeJob {
  signal: { readonly aborted: boolean };
  counters: WorkCounters;
  emit: (event: LocalizeEvent) => void;
  /** One answer in this job (the distortion question of a tile), without its events. */
  answer: (request: GenerateRequest) => Promise<GenerateResult>;
}

/**
 * The engine's local quality map: the files decoded once as the engine reads every image, the map's rules in
 * src/core/localize, and each crop's pixels encoded straight from memory (keyed by a hash of its pixels, so the
 * two orders of a tile and a repeated crop cost one vision run). A tile's comparisons share the KV cache's prefix.
 */
export async function localizeImages(model: LoadedModel, request: LocalizeRequest, job: LocalizeJob): Promise<LocalizeRecord> {
  const decode = (input: ImageInput | undefined, what: string) => {
    if (input === undefined) return Promise.resolve(null);
    if (typeof input !== 'object' || input === null || !(input.bytes instanceof Uint8Array)) {
      throw new AppError('REQUEST_INVALID', `${what} of the map has no bytes: the engine needs the file's pixels.`, { hint: 'Add the image again.' });
    }
    return model.images.decodeFile(input);
  };
  const reference = await decode(request.reference, 'The reference');
  const a = (await decode(request.a, 'Image A'))!;
  const b = await decode(request.b, 'Image B');
  // A crop's id is a hash of its pixels; its name (for messages) says which tile it is.
  const crop = async (image: RgbImage, tile: { row: number; col: number }) => (await model.images.encodePixels(image, `the crop of tile r${tile.row + 1}c${tile.col + 1}`)).id;

  const judge: TileJudge = {
    async compare({ reference: ref, first, second }, tile) {
      // A cancel() from the page is a message: let the worker read it before each model call (wasm runs never yield).
      await yieldToEventLoop();
      const result = await compareImages(
        model,
        {
          ...(ref === null ? {} : { reference: await crop(ref, tile) }),
          a: await crop(first, tile),
          b: await crop(second, tile),
          questionIndex: request.questionIndex ?? 0,
        },
        job.counters,
      );
      return { pA: result.pA, pB: result.pB };
    },
    async identify({ reference: ref, image }, tile) {
      await yieldToEventLoop();
      const result = await job.answer({ task: 'distortion', images: { reference: await crop(ref, tile), a: await crop(image, tile) } });
      return { distortion: result.distortion === 'None' ? null : result.distortion, confidence: result.confidence?.value ?? null };
    },
    counters: async () => ({ visionRuns: job.counters.visionRuns, prefillTokens: job.counters.prefillTokens }),
  };
  return localize({ reference, a, b }, model.info.imageRule, judge, {
    ...(request.grid === undefined ? {} : { grid: request.grid }),
    ...(request.overlap === undefined ? {} : { overlap: request.overlap }),
    ...(request.tolerance === undefined ? {} : { tolerance: request.tolerance }),
    ...(request.prior === undefined ? {} : { prior: request.prior }),
    signal: job.signal,
    onTile: (tile, done, total) => job.emit({ type: 'tile', tile, done, total }),
  });
}
