import { answerCalls } from '../../tools/browser/harness/workerCalls.ts';
import { readExifOrientation } from '../../src/core/image/exifOrientation.ts';
import { browserEngineHost } from '../../src/engine/browserHost.ts';
import { decodeBlobWithCanvas } from '../../src/engine/image/decodeBlob.ts';
import type { PixelsCall, PixelsReply } from './protocol.ts';

/** Image decoding in a module worker, as the engine worker runs it. */
const host = browserEngineHost();

async function handle(data: PixelsCall): Promise<PixelsReply> {
  const bytes = Uint8Array.from(data.bytes);
  switch (data.call) {
    case 'engine': {
      const image = await host.decodeImage(bytes, data.name);
      return { ok: true, width: image.width, height: image.height, rgb: Array.from(image.data) };
    }
    case 'canvas': {
      const image = await decodeBlobWithCanvas(new Blob([bytes], { type: data.type }), readExifOrientation(bytes));
      return { ok: true, width: image.width, height: image.height, rgb: Array.from(image.data) };
    }
    case 'bitmapSize': {
      const options = { imageOrientation: data.imageOrientation } as ImageBitmapOptions;
      const bitmap = await createImageBitmap(new Blob([bytes], { type: data.type }), options);
      const { width, height } = bitmap;
      bitmap.close();
      return { ok: true, width, height };
    }
  }
}

answerCalls<PixelsCall, PixelsReply>(handle, (error) => ({ ok: false, error }));
