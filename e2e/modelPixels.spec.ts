import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import type { PixelsCall, PixelsReply } from './pixelsHarness/protocol.ts';
import { startPixelsHarness, type PixelsHarness } from './pixelsHarness/setup.ts';

/**
 * What DepictQA's model is fed in the browser, file by file, against what its upstream feeds it:
 * PIL 9.4's `Image.open(f).convert("RGB")` of the odd files made by tools/fixtures/make_odd_images.py.
 */
const CORPUS = join(import.meta.dirname, 'oddImages');
interface PilPixels {
  mode: string;
  width: number;
  height: number;
  rgb: string;
  /** 16-bit grey only: the browser's 8-bit reduction (v >> 8), where PIL clips to 255. */
  highByteRgb?: string;
  /** the RGBA file only */
  alpha?: string;
}
const pil = (JSON.parse(readFileSync(join(CORPUS, 'pil_rgb.json'), 'utf8')) as { files: Record<string, PilPixels> }).files;
const MIME: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', bmp: 'image/bmp' };

let harness: PixelsHarness | undefined;
test.beforeAll(async () => {
  test.setTimeout(120_000);
  harness = await startPixelsHarness();
});
test.afterAll(async () => {
  await harness?.dispose();
});

test.beforeEach(({ browserName: _ }, testInfo) => {
  test.skip(testInfo.project.name !== 'wasm', 'decoding does not depend on WebGPU');
});

async function open(page: Page): Promise<(call: PixelsCall) => Promise<PixelsReply>> {
  await page.goto(harness!.pageUrl);
  await page.waitForFunction(() => document.title === 'pixels harness ready');
  return (call) => page.evaluate((data) => (globalThis as unknown as { pixelsHarness: { call: (c: unknown) => Promise<PixelsReply> } }).pixelsHarness.call(data), call);
}

const bytesOf = (file: string): number[] => Array.from(readFileSync(join(CORPUS, file)));

/** Per-byte |browser - expected|, or a reason why the images cannot be compared. */
function differences(reply: PixelsReply, expected: PilPixels, want: Buffer): number[] | string {
  if (!reply.ok) return `error ${reply.error.code}: ${reply.error.message}`;
  if (reply.width !== expected.width || reply.height !== expected.height) return `${reply.width}×${reply.height}, PIL ${expected.width}×${expected.height}`;
  return Array.from(want, (value, i) => Math.abs(value - reply.rgb![i]!));
}

function summary(diff: number[] | string): string {
  if (typeof diff === 'string') return diff;
  const differing = diff.filter((d) => d > 0).length;
  return differing === 0 ? 'identical' : `max |diff| ${Math.max(...diff)}, ${differing} bytes differ`;
}

test('every odd file, through the engine’s own decode in a worker, gives the pixels DepictQA’s model reads', async ({ page }) => {
  const call = await open(page);
  const rows: string[] = [];
  const wrong: string[] = [];
  for (const [file, expected] of Object.entries(pil)) {
    // 16-bit grey: the model sees the browser's 8-bit reduction, and the page says so (not PIL's clipping).
    const want = Buffer.from(expected.highByteRgb ?? expected.rgb, 'base64');
    const result = summary(differences(await call({ call: 'engine', name: file, bytes: bytesOf(file) }), expected, want));
    rows.push(`  ${file.padEnd(22)} ${expected.mode.padEnd(5)} ${result}`);
    if (result !== 'identical') wrong.push(`${file}: ${result}`);
  }
  console.log(`engine decode vs PIL convert("RGB"):\n${rows.join('\n')}`);
  expect(wrong).toEqual([]);
});

test('without WebCodecs the canvas gives the same pixels, except the colour of transparent pixels', async ({ page }) => {
  const call = await open(page);
  const rows: string[] = [];
  const wrong: string[] = [];
  for (const [file, expected] of Object.entries(pil)) {
    const want = Buffer.from(expected.highByteRgb ?? expected.rgb, 'base64');
    const reply = await call({ call: 'canvas', name: file, type: MIME[file.split('.').pop()!]!, bytes: bytesOf(file) });
    const diff = differences(reply, expected, want);
    rows.push(`  ${file.padEnd(22)} ${summary(diff)}`);
    if (expected.alpha === undefined || typeof diff === 'string') {
      if (summary(diff) !== 'identical') wrong.push(`${file}: ${summary(diff)}`);
      continue;
    }
    // The canvas premultiplies: opaque pixels exact, transparent ones black, the others within one step of
    // premultiplied precision (255 / alpha).
    const alpha = Buffer.from(expected.alpha, 'base64');
    const rgb = reply.ok ? reply.rgb! : [];
    alpha.forEach((a, pixel) => {
      for (let channel = 0; channel < 3; channel++) {
        const i = pixel * 3 + channel;
        const ok = a === 255 ? diff[i] === 0 : a === 0 ? rgb[i] === 0 : diff[i]! <= Math.ceil(255 / a);
        if (!ok) wrong.push(`${file} pixel ${pixel} (alpha ${a}): ${rgb[i]} vs ${want[i]}`);
      }
    });
  }
  console.log(`canvas fallback vs PIL convert("RGB"):\n${rows.join('\n')}`);
  expect(wrong).toEqual([]);
});

test('Chromium’s createImageBitmap turns an EXIF-rotated photo for every imageOrientation value', async ({ page }) => {
  // Why the canvas path turns the bitmap back: no option keeps the stored 40×30 of orientation6.jpg.
  const call = await open(page);
  for (const imageOrientation of ['none', 'from-image', 'flipY']) {
    const reply = await call({ call: 'bitmapSize', type: 'image/jpeg', bytes: bytesOf('orientation6.jpg'), imageOrientation });
    expect(reply, imageOrientation).toEqual({ ok: true, width: 30, height: 40 });
  }
});
