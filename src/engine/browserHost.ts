import * as ort from 'onnxruntime-web/webgpu';
import { AppError } from '../core/errors.ts';
import { loadBundle } from './bundle/loadBundle.ts';
import { openBrowserEmbedder } from './embedder/openBrowserEmbedder.ts';
import type { EngineHost } from './EngineHost.ts';
import { decodeImageToRgb } from './image/decodeBlob.ts';

/**
 * The engine in a browser worker: onnxruntime-web's WebGPU build (with its wasm EP for the CPU parts and the
 * fallback), bundles and the sentence model through the downloading, caching loaders, images through the browser's
 * decoders.
 */
export function browserEngineHost(): EngineHost {
  return {
    runtime: async (capabilities) => {
      // Threads need cross-origin isolation; the capability probe already knows whether the page has it.
      ort.env.wasm.numThreads = capabilities.wasmThreads;
      return ort;
    },
    openBundle: async (source, options) => {
      if (source.kind === 'path') {
        throw new AppError('BAD_ARGUMENTS', 'A browser cannot open a bundle by its disk path.', {
          hint: 'Choose the bundle folder with the folder picker, drop it on the page, or give its URL.',
        });
      }
      return loadBundle(source, options);
    },
    // The sentence model runs on the same onnxruntime-web, whose threads are set once, by whichever opens first.
    openEmbedder: async (source, { capabilities, onProgress }) => {
      ort.env.wasm.numThreads = capabilities.wasmThreads;
      return openBrowserEmbedder(source, onProgress);
    },
    // Format, damage and size limits on the header first (a decompression bomb never reaches the decoder), then
    // the decoder told the type the bytes say.
    decodeImage: decodeImageToRgb,
  };
}
