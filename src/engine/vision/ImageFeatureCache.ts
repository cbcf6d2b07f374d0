import type { EncodedImage, ImageInput } from '../../core/engine/images.ts';
import { AppError } from '../../core/errors.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { preprocessImage } from '../../core/vision/preprocess.ts';
import type { ResizeRule } from '../../core/vision/resizeRule.ts';
import type { RgbImage } from '../../core/vision/rgbImage.ts';
import type { WorkCounters } from '../llm/LanguageModel.ts';
import type { ImageEncoder, ImageFeatures } from './ImageEncoder.ts';

/** Turns a file's bytes into RGB as PIL's convert("RGB") does: sharp in Node, the browser's decoder in a worker. */
export type ImageDecoder = (bytes: Uint8Array, name: string) => Promise<RgbImage>;

interface StoredImage {
  info: EncodedImage;
  features: ImageFeatures;
}

/** Images kept per session. 7B rows are 16 KB each, so 32 images of ≤ 768 rows stay under ~400 MB. */
export const MAX_STORED_IMAGES = 32;

/**
 * Encoded images by a SHA-256 of their bytes (the caller's, when it gives one): the same file is decoded and
 * encoded once per session, and asking about it again costs nothing. The oldest image is dropped past `maxImages`.
 */
export class ImageFeatureCache {
  private readonly images = new Map<string, StoredImage>();

  constructor(
    private readonly decode: ImageDecoder,
    /** null when the bundle has no vision graph for the loaded variant. */
    private readonly encoder: ImageEncoder | null,
    /** The model's resize rule (its manifest's). */
    private readonly rule: ResizeRule,
    private readonly hiddenSize: number,
    private readonly counters: WorkCounters,
    /** The model, for messages. */
    private readonly label: string,
    private readonly maxImages = MAX_STORED_IMAGES,
  ) {}

  async encode(input: ImageInput): Promise<EncodedImage> {
    if (!(input.bytes instanceof Uint8Array) || typeof input.name !== 'string') {
      throw new AppError('REQUEST_INVALID', 'encodeImage needs { name, bytes: Uint8Array }.', { hint: 'Add the image again.' });
    }
    this.requireEncoder();
    const id = typeof input.id === 'string' && input.id.length > 0 ? input.id : await sha256Hex(input.bytes);
    // 1. Decode and preprocess exactly as DepictQA (the model's resize rule, PIL bicubic, padding, CLIP normalisation).
    return this.known(id, input.name) ?? this.store(id, input.name, performance.now(), await this.decode(input.bytes, input.name));
  }

  /** A file's pixels as the engine reads them (for work on the pixels themselves, such as a map's crops). */
  decodeFile(input: ImageInput): Promise<RgbImage> {
    return this.decode(input.bytes, input.name);
  }

  /**
   * Pixels already decoded (a crop), encoded as a file of them would be: the id is a SHA-256 of their size and
   * bytes, so the same crop is encoded once.
   */
  async encodePixels(rgb: RgbImage, name: string): Promise<EncodedImage> {
    this.requireEncoder();
    const header = new Uint8Array(new Uint32Array([rgb.width, rgb.height]).buffer);
    const keyed = new Uint8Array(header.length + rgb.data.length);
    keyed.set(header);
    keyed.set(rgb.data, header.length);
    const id = `rgb-${await sha256Hex(keyed)}`;
    return this.known(id, name) ?? this.store(id, name, performance.now(), rgb);
  }

  private requireEncoder(): ImageEncoder {
    if (this.encoder === null) {
      throw new AppError('VARIANT_UNAVAILABLE', `${this.label} has no vision encoder, so it cannot read images.`, {
        hint: 'Convert the model again with the CLIP vision tower (`npm run convert -- --clip DIR`).',
      });
    }
    return this.encoder;
  }

  private known(id: string, name: string): EncodedImage | null {
    const known = this.images.get(id);
    if (known === undefined) return null;
    // Refresh its place in the eviction order.
    this.images.delete(id);
    this.images.set(id, known);
    return { ...known.info, name, cached: true };
  }

  private async store(id: string, name: string, started: number, rgb: RgbImage): Promise<EncodedImage> {
    const pixels = preprocessFor(rgb, this.rule, name);
    // 2. Encode.
    this.counters.visionRuns++;
    const features = await this.requireEncoder().encode(pixels);
    if (features.rows.length !== features.count * this.hiddenSize) {
      throw new AppError('MODEL_RUN_FAILED', `The vision encoder gave ${features.rows.length} values for ${features.count} rows of ${this.hiddenSize}.`, {
        hint: 'The vision graph and the language model come from different conversions: convert the model again.',
      });
    }
    const info: EncodedImage = {
      id,
      name,
      width: rgb.width,
      height: rgb.height,
      grid: pixels.grid,
      rows: features.count,
      visionMs: performance.now() - started,
      cached: false,
    };
    this.images.set(id, { info, features });
    while (this.images.size > this.maxImages) this.images.delete(this.images.keys().next().value!);
    return info;
  }

  /** The features of an encoded image; IMAGE_NOT_ENCODED when the id is unknown (or was dropped). */
  get(id: string): StoredImage {
    const stored = this.images.get(id);
    if (stored === undefined) {
      throw new AppError('IMAGE_NOT_ENCODED', `No encoded image has id ${id.slice(0, 12)}…`, {
        hint: 'Add the image again: it was never encoded, or the model was reloaded since.',
      });
    }
    return stored;
  }

  clear(): void {
    this.images.clear();
  }
}

/** `preprocessImage`, with the file named when the picture is too thin for the rule. */
function preprocessFor(rgb: RgbImage, rule: ResizeRule, name: string): ReturnType<typeof preprocessImage> {
  try {
    return preprocessImage(rgb, rule);
  } catch (cause) {
    if (cause instanceof AppError && cause.code === 'IMAGE_TOO_SMALL') throw new AppError(cause.code, `${name}: ${cause.message}`, { hint: cause.hint, cause });
    throw cause;
  }
}
