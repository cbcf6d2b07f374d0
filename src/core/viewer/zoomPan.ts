/**
 * Zoom and pan of the image viewer, shared by every pane. A view places the image's pixel (0, 0) at
 * (x, y) CSS pixels from the pane's top-left corner and draws one image pixel as `scale` CSS pixels.
 * All panes have the same size, so one view shows the same image region in each of them.
 */
export interface View {
  /** CSS pixels per image pixel. */
  scale: number;
  /** CSS pixels from the pane's left edge to the image's left edge. */
  x: number;
  /** CSS pixels from the pane's top edge to the image's top edge. */
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** How far out a user may zoom, as a fraction of the fitted scale. */
export const MIN_ZOOM_OF_FIT = 0.5;
/** The largest zoom, in device pixels per image pixel: enough to read single pixels. */
export const MAX_DEVICE_ZOOM = 64;
/** One press of + or − (or a zoom button) multiplies the scale by this. */
export const ZOOM_STEP = 1.25;

/** The scale that shows the whole image in the pane, centred. */
export function fitView(image: Size, pane: Size): View {
  const scale = Math.min(pane.width / image.width, pane.height / image.height);
  return { scale, x: (pane.width - image.width * scale) / 2, y: (pane.height - image.height * scale) / 2 };
}

/** Pixel-exact view: one image pixel on one device pixel, centred on the pane's centre. */
export function actualSizeView(image: Size, pane: Size, devicePixelRatio: number, around?: View): View {
  const scale = 1 / devicePixelRatio;
  const centre = { x: pane.width / 2, y: pane.height / 2 };
  // Keep the image point under the pane's centre where it is, when there is a current view.
  const view = around === undefined ? { scale, x: centre.x - (image.width * scale) / 2, y: centre.y - (image.height * scale) / 2 } : zoomAbout(around, scale, centre);
  return clampView({ ...view, scale }, image, pane);
}

export function scaleLimits(image: Size, pane: Size, devicePixelRatio: number): { min: number; max: number } {
  const fit = fitView(image, pane).scale;
  // A tiny image fits at a large scale: never forbid zooming in as far as fitting it.
  return { min: Math.min(fit * MIN_ZOOM_OF_FIT, 1 / devicePixelRatio), max: Math.max(MAX_DEVICE_ZOOM / devicePixelRatio, fit) };
}

/** Changes the scale keeping the image point under `anchor` (pane CSS pixels) fixed on screen. */
export function zoomAbout(view: View, scale: number, anchor: { x: number; y: number }): View {
  const ratio = scale / view.scale;
  return { scale, x: anchor.x - (anchor.x - view.x) * ratio, y: anchor.y - (anchor.y - view.y) * ratio };
}

/**
 * Multiplies the scale by `factor` about `anchor` (the pane's centre when absent), within the scale limits,
 * then clamps the position.
 */
export function zoomBy(view: View, factor: number, image: Size, pane: Size, devicePixelRatio: number, anchor?: { x: number; y: number }): View {
  const { min, max } = scaleLimits(image, pane, devicePixelRatio);
  const scale = Math.min(max, Math.max(min, view.scale * factor));
  return clampView(zoomAbout(view, scale, anchor ?? { x: pane.width / 2, y: pane.height / 2 }), image, pane);
}

export function panBy(view: View, dx: number, dy: number, image: Size, pane: Size): View {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy }, image, pane);
}

/**
 * Keeps the image where it can be seen: on an axis where it is larger than the pane it must cover the pane
 * (no empty margin can be dragged in); where it is smaller it is centred, as the fitted view is. Either way no
 * drag can lose the image.
 */
export function clampView(view: View, image: Size, pane: Size): View {
  return {
    scale: view.scale,
    x: clampAxis(view.x, image.width * view.scale, pane.width),
    y: clampAxis(view.y, image.height * view.scale, pane.height),
  };
}

function clampAxis(offset: number, extent: number, paneExtent: number): number {
  const slack = paneExtent - extent;
  if (slack >= 0) return slack / 2;
  return Math.min(Math.max(offset, slack), 0);
}

/** Zoom as users read it: 100% is pixel-exact (one image pixel per device pixel). */
export function zoomPercent(scale: number, devicePixelRatio: number): number {
  return scale * devicePixelRatio * 100;
}

/**
 * The CSS transform of a pane's image layer. Offsets are rounded to whole device pixels so that a
 * pixel-exact view lands each image pixel on one device pixel instead of blurring it across two.
 */
export function viewTransform(view: View, devicePixelRatio: number): string {
  const snap = (value: number) => Math.round(value * devicePixelRatio) / devicePixelRatio;
  return `translate(${snap(view.x)}px, ${snap(view.y)}px) scale(${view.scale})`;
}

/** Nearest-neighbour rendering once an image pixel covers more than one device pixel, so pixels stay sharp. */
export function isMagnified(scale: number, devicePixelRatio: number): boolean {
  return scale * devicePixelRatio > 1 + 1e-9;
}

/** The largest of the images' sizes: the views of images of different sizes are clamped and fitted to it. */
export function boundingSize(sizes: readonly Size[]): Size | null {
  if (sizes.length === 0) return null;
  return { width: Math.max(...sizes.map((s) => s.width)), height: Math.max(...sizes.map((s) => s.height)) };
}
