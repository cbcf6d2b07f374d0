/**
 * Colour scales of the viewer's overlays, as 256-entry RGB lookup tables, and the loops that paint a map
 * with them into RGBA pixels for a canvas.
 */

export type Rgb = readonly [number, number, number];

/** matplotlib's "inferno" at nine evenly spaced stops: black for no difference, through red, to pale yellow. */
export const HEAT_STOPS: readonly Rgb[] = [
  [0, 0, 4],
  [31, 12, 72],
  [85, 15, 109],
  [136, 34, 106],
  [186, 54, 85],
  [227, 89, 51],
  [249, 140, 10],
  [249, 201, 50],
  [252, 255, 164],
];

/** SSIM 0 (nothing in common) red, through a pale middle, to 1 (identical structure) blue: "coolwarm" reversed. */
export const SSIM_STOPS: readonly Rgb[] = [
  [180, 4, 38],
  [244, 154, 123],
  [221, 221, 221],
  [141, 176, 254],
  [59, 76, 192],
];

/** [256 × 3] bytes: entry i is the colour at i / 255, linear between evenly spaced stops. */
export function lookupTable(stops: readonly Rgb[]): Uint8Array {
  const table = new Uint8Array(256 * 3);
  const segments = stops.length - 1;
  for (let i = 0; i < 256; i++) {
    const position = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(position));
    const t = position - k;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(stops[k]![c]! * (1 - t) + stops[k + 1]![c]! * t);
  }
  return table;
}

/** CSS linear-gradient colours of a scale, for its legend. */
export function gradientCss(stops: readonly Rgb[], direction = 'to right'): string {
  return `linear-gradient(${direction}, ${stops.map(([r, g, b]) => `rgb(${r} ${g} ${b})`).join(', ')})`;
}

/**
 * RGBA pixels of a difference map: value v (0..255) is shown as heat min(1, v·amplification / 255), so with
 * amplification 4 a difference of 64 already reaches the hottest colour. Opaque.
 */
export function paintDifference(values: Uint8Array, amplification: number, table: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  if (!(amplification > 0)) throw new RangeError(`amplification must be positive, got ${amplification}`);
  // The colour of each of the 256 possible values, packed as one 32-bit RGBA word in memory order: [256].
  const colours = new Uint8ClampedArray(256 * 4);
  for (let v = 0; v < 256; v++) {
    const entry = Math.min(255, Math.round(v * amplification)) * 3;
    colours.set([table[entry]!, table[entry + 1]!, table[entry + 2]!, 255], v * 4);
  }
  const words = new Uint32Array(colours.buffer);
  // One 32-bit store per pixel: a 2048² map paints in a few milliseconds, so the slider stays smooth.
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = words[values[i]!]!;
  return new Uint8ClampedArray(out.buffer);
}

/** RGBA pixels of an SSIM map on the 0..1 scale; values below 0 (anti-correlated structure) show as 0. Opaque. */
export function paintSsim(values: Float32Array, table: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0, j = 0; i < values.length; i++, j += 4) {
    const clamped = Math.min(1, Math.max(0, values[i]!));
    const entry = Math.round(clamped * 255) * 3;
    out[j] = table[entry]!;
    out[j + 1] = table[entry + 1]!;
    out[j + 2] = table[entry + 2]!;
    out[j + 3] = 255;
  }
  return out;
}

/** The difference that reaches the top of the heat scale at this amplification (the legend's right end). */
export function differenceAtTop(amplification: number): number {
  return 255 / amplification;
}
