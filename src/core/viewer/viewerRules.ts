import type { ImageSlotId } from '../tasks.ts';

/** What a key does in the viewer. */
export type ViewerAction =
  | { type: 'show'; slot: ImageSlotId }
  | { type: 'flicker' }
  | { type: 'swipe' }
  | { type: 'difference' }
  | { type: 'ssim' }
  | { type: 'where' }
  | { type: 'fit' }
  | { type: 'actualSize' }
  | { type: 'zoom'; direction: 1 | -1 }
  | { type: 'sideBySide' }
  | { type: 'help' };

/** The shortcuts, as the help popover lists them. */
export const SHORTCUTS: ReadonlyArray<{ keys: string[]; does: string }> = [
  { keys: ['1', 'R'], does: 'Show the reference alone' },
  { keys: ['2', 'A'], does: 'Show image A alone' },
  { keys: ['3', 'B'], does: 'Show image B alone' },
  { keys: ['F'], does: 'Flicker: show the next image in the same frame' },
  { keys: ['S'], does: 'Swipe: split two images with a divider (again: side by side)' },
  { keys: ['Esc'], does: 'Back to side by side' },
  { keys: ['D'], does: 'Difference heat map on or off' },
  { keys: ['M'], does: 'SSIM map on or off' },
  { keys: ['W'], does: 'Where: the local quality map on or off (click a tile to ask why)' },
  { keys: ['0'], does: 'Fit the images to the panes' },
  { keys: ['9'], does: '1:1, one image pixel per screen pixel' },
  { keys: ['+', '−'], does: 'Zoom in, zoom out (the wheel zooms about the pointer)' },
  { keys: ['?'], does: 'This list' },
];

const BY_KEY: Record<string, ViewerAction> = {
  '1': { type: 'show', slot: 'reference' },
  r: { type: 'show', slot: 'reference' },
  '2': { type: 'show', slot: 'a' },
  a: { type: 'show', slot: 'a' },
  '3': { type: 'show', slot: 'b' },
  b: { type: 'show', slot: 'b' },
  f: { type: 'flicker' },
  s: { type: 'swipe' },
  d: { type: 'difference' },
  m: { type: 'ssim' },
  w: { type: 'where' },
  '0': { type: 'fit' },
  '9': { type: 'actualSize' },
  '+': { type: 'zoom', direction: 1 },
  '=': { type: 'zoom', direction: 1 },
  '-': { type: 'zoom', direction: -1 },
  _: { type: 'zoom', direction: -1 },
  escape: { type: 'sideBySide' },
  '?': { type: 'help' },
};

/** The action of a key press, or null: keys with Ctrl, Alt or Meta belong to the browser. */
export function keyAction(event: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): ViewerAction | null {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  return BY_KEY[event.key.toLowerCase()] ?? null;
}

/** The image after `shown` in the flicker cycle (A ↔ B, or reference → A → B), among the filled slots. */
export function nextFlickerSlot(shown: ImageSlotId, filled: readonly ImageSlotId[], withReference: boolean): ImageSlotId {
  const cycle = (withReference ? (['reference', 'a', 'b'] as const) : (['a', 'b'] as const)).filter((slot) => filled.includes(slot));
  // Fewer than two in the cycle (e.g. only the reference and A without "with reference"): flicker over all filled.
  const order = cycle.length >= 2 ? cycle : filled;
  if (order.length === 0) return shown;
  const at = order.indexOf(shown);
  return order[(at + 1) % order.length]!;
}

interface Sized {
  width: number;
  height: number;
}

const SLOT_NAMES: Record<ImageSlotId, string> = { reference: 'The reference', a: 'Image A', b: 'Image B' };

/**
 * Why the difference and SSIM overlays cannot be shown for `slot`, or null when they can: they compare
 * aligned pixels, so the image needs a reference of the same size.
 */
export function overlayBlocker(slot: ImageSlotId, image: Sized | null, reference: Sized | null): string | null {
  if (slot === 'reference' || image === null) return null;
  if (reference === null) return `${SLOT_NAMES[slot]} has no reference to compare with: add one.`;
  if (image.width !== reference.width || image.height !== reference.height) {
    return (
      `${SLOT_NAMES[slot]} is ${image.width}×${image.height} but the reference is ${reference.width}×${reference.height}: ` +
      'the difference and SSIM maps compare aligned pixels, so they are off for it.'
    );
  }
  return null;
}

/**
 * Why the local quality map cannot be made of the slots' images, or null when it can: it needs A with B or the
 * reference, all of one size (its tiles are aligned crops).
 */
export function whereBlocker(images: { reference: Sized | null; a: Sized | null; b: Sized | null }): string | null {
  const { reference, a, b } = images;
  if (a === null) return 'The quality map needs Image A, and Image B or the reference.';
  if (b === null && reference === null) return 'The quality map needs Image B to compare A with, or the reference to judge A against.';
  for (const [slot, image] of [['b', b], ['reference', reference]] as const) {
    if (image !== null && (image.width !== a.width || image.height !== a.height)) {
      return `${SLOT_NAMES[slot]} is ${image.width}×${image.height} but Image A is ${a.width}×${a.height}: the map's tiles are aligned crops, so the images must be the same size.`;
    }
  }
  return null;
}
