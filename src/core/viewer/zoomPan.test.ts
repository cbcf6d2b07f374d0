import { describe, expect, it } from 'vitest';
import {
  actualSizeView,
  boundingSize,
  clampView,
  fitView,
  isMagnified,
  panBy,
  scaleLimits,
  viewTransform,
  zoomAbout,
  zoomBy,
  zoomPercent,
} from './zoomPan.ts';

const pane = { width: 400, height: 300 };
const image = { width: 800, height: 400 };

describe('fitView', () => {
  it('shows the whole image, centred on the free axis', () => {
    expect(fitView(image, pane)).toEqual({ scale: 0.5, x: 0, y: 50 });
    expect(fitView({ width: 100, height: 300 }, pane)).toEqual({ scale: 1, x: 150, y: 0 });
  });

  it('enlarges an image smaller than the pane', () => {
    expect(fitView({ width: 40, height: 30 }, pane).scale).toBe(10);
  });
});

describe('zoomAbout', () => {
  it('keeps the image point under the cursor where it is', () => {
    const view = { scale: 0.5, x: 0, y: 50 };
    const cursor = { x: 100, y: 150 };
    const imagePoint = { x: (cursor.x - view.x) / view.scale, y: (cursor.y - view.y) / view.scale }; // (200, 200)
    const zoomed = zoomAbout(view, 2, cursor);
    expect(zoomed.scale).toBe(2);
    expect(zoomed.x + imagePoint.x * zoomed.scale).toBeCloseTo(cursor.x, 10);
    expect(zoomed.y + imagePoint.y * zoomed.scale).toBeCloseTo(cursor.y, 10);
  });
});

describe('zoomBy', () => {
  it('zooms about the pane centre by default and stays within the limits', () => {
    const fitted = fitView(image, pane);
    const zoomed = zoomBy(fitted, 2, image, pane, 1);
    expect(zoomed.scale).toBe(1);
    // The image centre (400, 200) stayed at the pane centre (200, 150).
    expect(zoomed.x + 400 * zoomed.scale).toBeCloseTo(200, 10);
    expect(zoomed.y + 200 * zoomed.scale).toBeCloseTo(150, 10);

    const { max, min } = scaleLimits(image, pane, 1);
    expect(zoomBy(fitted, 1e6, image, pane, 1).scale).toBe(max);
    expect(zoomBy(fitted, 1e-6, image, pane, 1).scale).toBe(min);
  });

  it('allows 64 device pixels per image pixel whatever the screen density', () => {
    expect(scaleLimits(image, pane, 1).max).toBe(64);
    expect(scaleLimits(image, pane, 2).max).toBe(32);
  });

  it('zooms about the cursor near an edge and clamps what would show empty pane', () => {
    const view = { scale: 1, x: 0, y: 0 };
    const zoomed = zoomBy(view, 2, image, pane, 1, { x: 0, y: 0 });
    expect(zoomed).toEqual({ scale: 2, x: 0, y: 0 });
    // Zooming out about the bottom-right corner would pull the image's corner inside: clamped.
    const out = zoomBy({ scale: 2, x: -1200, y: -500 }, 0.5, image, pane, 1, { x: 400, y: 300 });
    expect(out.scale).toBe(1);
    expect(out.x).toBe(-400);
    expect(out.y).toBe(-100);
  });
});

describe('clampView and panBy', () => {
  it('keeps a large image covering the pane', () => {
    const view = { scale: 1, x: 0, y: 0 };
    expect(panBy(view, 50, 50, image, pane)).toEqual({ scale: 1, x: 0, y: 0 });
    expect(panBy(view, -1000, -1000, image, pane)).toEqual({ scale: 1, x: -400, y: -100 });
    expect(panBy(view, -30, -20, image, pane)).toEqual({ scale: 1, x: -30, y: -20 });
  });

  it('centres an image on an axis where it is smaller than the pane', () => {
    const small = { width: 100, height: 100 };
    expect(clampView({ scale: 1, x: -10, y: 250 }, small, pane)).toEqual({ scale: 1, x: 150, y: 100 });
    // Wider than the pane but not as high: free horizontally, centred vertically.
    expect(panBy({ scale: 1, x: -100, y: 0 }, -50, 40, { width: 800, height: 200 }, pane)).toEqual({ scale: 1, x: -150, y: 50 });
  });
});

describe('pixel-exact view', () => {
  it('puts one image pixel on one device pixel, at any device pixel ratio', () => {
    expect(actualSizeView(image, pane, 1).scale).toBe(1);
    expect(actualSizeView(image, pane, 2).scale).toBe(0.5);
    expect(zoomPercent(0.5, 2)).toBe(100);
    expect(isMagnified(0.5, 2)).toBe(false);
    expect(isMagnified(0.75, 2)).toBe(true);
  });

  it('keeps the image point at the pane centre when zooming from a current view', () => {
    const fitted = fitView(image, pane); // image (400, 200) at the pane centre
    const exact = actualSizeView(image, pane, 1, fitted);
    expect(exact.x + 400).toBeCloseTo(200, 10);
    expect(exact.y + 200).toBeCloseTo(150, 10);
  });

  it('snaps offsets to whole device pixels in the transform', () => {
    expect(viewTransform({ scale: 1, x: 10.4, y: -3.6 }, 1)).toBe('translate(10px, -4px) scale(1)');
    expect(viewTransform({ scale: 0.5, x: 10.3, y: 0.74 }, 2)).toBe('translate(10.5px, 0.5px) scale(0.5)');
  });
});

describe('boundingSize', () => {
  it('takes the largest width and height', () => {
    expect(boundingSize([{ width: 10, height: 50 }, { width: 30, height: 20 }])).toEqual({ width: 30, height: 50 });
    expect(boundingSize([])).toBeNull();
  });
});
