import type { PreprocessedImage } from '../../core/vision/preprocess.ts';
import type { ImageEncoder, ImageFeatures } from '../vision/ImageEncoder.ts';
import type { GpuGuard } from './gpuGuard.ts';
import { guardedNow } from './guardedRun.ts';

/**
 * The vision encoder as the image feature cache sees it: every encoding runs inside the GPU error scopes, and its rows
 * are handed out only once the scopes came back clean. After a GPU failure the model is rebuilt and the new
 * encoder (and guard) replace the old ones here, so the store keeps the rows it holds: they are CPU copies
 * (the vision graph's output is fetched to the CPU), computed and checked before the failure.
 */
export class GuardedEncoder implements ImageEncoder {
  constructor(
    private inner: ImageEncoder,
    private gpu: GpuGuard,
  ) {}

  encode(image: PreprocessedImage): Promise<ImageFeatures> {
    const inner = this.inner;
    return guardedNow(this.gpu, 'reading an image', () => inner.encode(image));
  }

  /** The rebuilt model's encoder and guard; the old encoder is the caller's to dispose. */
  replace(inner: ImageEncoder, gpu: GpuGuard): void {
    this.inner = inner;
    this.gpu = gpu;
  }

  async dispose(): Promise<void> {
    await this.inner.dispose();
  }
}
