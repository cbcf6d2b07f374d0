import { serializeError } from '../../src/core/errors.ts';
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

// onnxruntime-web starts its wasm threads from this same bundled script: in those, only its own code may run.
if (!self.name.startsWith('em-pthread')) {
  self.addEventListener('message', (message: MessageEvent<{ id: number; data: PixelsCall }>) => {
    const { id, data } = message.data;
    handle(data).then(
      (reply) => self.postMessage({ id, reply }),
      (error: unknown) => self.postMessage({ id, reply: { ok: false, error: serializeError(error) } satisfies PixelsReply }),
    );
  });
}
