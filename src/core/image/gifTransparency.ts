import { u8 } from './bytes.ts';

/**
 * The colour PIL shows for the transparent pixels of a GIF's first frame. PIL's convert("RGB") keeps the
 * palette colour of the transparent index (and fills the screen outside the first frame with that index),
 * while browsers and libvips render those pixels transparent, i.e. colourless. Reads the first Graphic
 * Control Extension and the colour table that applies to the first image (local, else global).
 * Returns undefined when the first frame declares no transparency.
 */
export function gifTransparentColour(b: Uint8Array): [number, number, number] | undefined {
  const screenFlags = u8(b, 10);
  if (screenFlags === undefined) return undefined;
  let at = 13;
  let table: { start: number; entries: number } | undefined;
  if (screenFlags & 0x80) {
    table = { start: at, entries: 2 << (screenFlags & 0x07) };
    at += table.entries * 3;
  }
  let transparentIndex: number | undefined;
  for (;;) {
    const introducer = u8(b, at);
    if (introducer === 0x21) {
      const label = u8(b, at + 1);
      if (label === 0xf9 && u8(b, at + 2) === 4 && transparentIndex === undefined) {
        const flags = u8(b, at + 3) ?? 0;
        if (flags & 0x01) transparentIndex = u8(b, at + 6);
      }
      // Skip the extension's data sub-blocks.
      at += 2;
      for (let size = u8(b, at); size !== undefined && size > 0; size = u8(b, at)) at += size + 1;
      at += 1;
    } else if (introducer === 0x2c) {
      const imageFlags = u8(b, at + 9);
      if (imageFlags === undefined) return undefined;
      if (imageFlags & 0x80) table = { start: at + 10, entries: 2 << (imageFlags & 0x07) };
      break;
    } else {
      return undefined; // trailer or damage before the first image
    }
  }
  if (transparentIndex === undefined || table === undefined || transparentIndex >= table.entries) return undefined;
  const p = table.start + transparentIndex * 3;
  const r = u8(b, p);
  const g = u8(b, p + 1);
  const bl = u8(b, p + 2);
  return r === undefined || g === undefined || bl === undefined ? undefined : [r, g, bl];
}
