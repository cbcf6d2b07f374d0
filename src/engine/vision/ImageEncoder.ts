import { imageTokenCount, type GraphSpec, type VisionSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import type { PreprocessedImage } from '../../core/vision/preprocess.ts';
import { toFloat32 } from '../llm/LanguageModel.ts';
import { runSession, type Ort, type OrtSession } from '../runtime/graphSession.ts';

/** One image's projected rows, ready to splice into the prompt. */
export interface ImageFeatures {
  /** [count, hidden] fp32 */
  rows: Float32Array;
  count: number;
}

/**
 * Preprocessed pixels → the rows the language model reads for that image. The bundle's vision graph in
 * production (`OnnxImageEncoder`); anything with the same contract in tests or tools.
 */
export interface ImageEncoder {
  encode(image: PreprocessedImage): Promise<ImageFeatures>;
  dispose(): Promise<void>;
}

/** `vision_encoder_<variant>.onnx`: pixel_values [1, 3, H, W] → image_features [1, N, hidden]. */
export class OnnxImageEncoder implements ImageEncoder {
  constructor(
    private readonly ort: Ort,
    private readonly session: OrtSession,
    private readonly graph: GraphSpec,
    /** The manifest's vision section: how many rows each image gives. */
    private readonly vision: VisionSpec,
  ) {}

  async encode(image: PreprocessedImage): Promise<ImageFeatures> {
    const { height, width } = image.padded;
    const pixels = new this.ort.Tensor('float32', image.pixelValues, [1, 3, height, width]);
    const input = this.graph.inputs[0]?.name ?? 'pixel_values';
    const output = this.graph.outputs[0]?.name ?? 'image_features';
    const outputs = await runSession(this.session, 'vision encoder', { [input]: pixels });
    const tensor = outputs[output];
    const rows = toFloat32(tensor, output);
    const count = tensor!.dims[1] ?? 0;
    const expected = imageTokenCount(this.vision, image.padded);
    if (tensor!.dims.length !== 3 || count !== expected) {
      throw new AppError('MODEL_RUN_FAILED', `The vision encoder returned ${output} of shape [${tensor!.dims.join(', ')}], not [1, ${expected}, hidden].`, {
        hint: 'Convert the model again.',
      });
    }
    return { rows, count };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
