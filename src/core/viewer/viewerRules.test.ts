import { describe, expect, it } from 'vitest';
import { keyAction, nextFlickerSlot, overlayBlocker, SHORTCUTS, whereBlocker } from './viewerRules.ts';

const press = (key: string, modifiers: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) =>
  keyAction({ key, ctrlKey: false, altKey: false, metaKey: false, ...modifiers });

describe('keyAction', () => {
  it('maps digits and letters, in either case, to the images and tools', () => {
    expect(press('1')).toEqual({ type: 'show', slot: 'reference' });
    expect(press('R')).toEqual({ type: 'show', slot: 'reference' });
    expect(press('a')).toEqual({ type: 'show', slot: 'a' });
    expect(press('3')).toEqual({ type: 'show', slot: 'b' });
    expect(press('F')).toEqual({ type: 'flicker' });
    expect(press('s')).toEqual({ type: 'swipe' });
    expect(press('d')).toEqual({ type: 'difference' });
    expect(press('W')).toEqual({ type: 'where' });
    expect(press('0')).toEqual({ type: 'fit' });
    expect(press('+')).toEqual({ type: 'zoom', direction: 1 });
    expect(press('=')).toEqual({ type: 'zoom', direction: 1 });
    expect(press('-')).toEqual({ type: 'zoom', direction: -1 });
    expect(press('Escape')).toEqual({ type: 'sideBySide' });
  });

  it('leaves browser shortcuts and other keys alone', () => {
    expect(press('r', { ctrlKey: true })).toBeNull();
    expect(press('0', { metaKey: true })).toBeNull();
    expect(press('x')).toBeNull();
    expect(press('ArrowLeft')).toBeNull();
  });

  it('documents every key it handles', () => {
    const listed = SHORTCUTS.flatMap((shortcut) => shortcut.keys).map((key) => (key === '−' ? '-' : key === 'Esc' ? 'Escape' : key));
    for (const key of listed) expect(press(key), key).not.toBeNull();
  });
});

describe('nextFlickerSlot', () => {
  it('toggles A and B, or cycles through the reference too', () => {
    const all = ['reference', 'a', 'b'] as const;
    expect(nextFlickerSlot('a', all, false)).toBe('b');
    expect(nextFlickerSlot('b', all, false)).toBe('a');
    expect(nextFlickerSlot('reference', all, false)).toBe('a');
    expect(nextFlickerSlot('a', all, true)).toBe('b');
    expect(nextFlickerSlot('b', all, true)).toBe('reference');
  });

  it('flickers between the reference and A when there is no B', () => {
    expect(nextFlickerSlot('a', ['reference', 'a'], false)).toBe('reference');
    expect(nextFlickerSlot('reference', ['reference', 'a'], false)).toBe('a');
    expect(nextFlickerSlot('a', ['a'], true)).toBe('a');
  });
});

describe('overlayBlocker', () => {
  const reference = { width: 200, height: 180 };

  it('allows images of the reference’s size', () => {
    expect(overlayBlocker('a', { width: 200, height: 180 }, reference)).toBeNull();
    expect(overlayBlocker('reference', reference, reference)).toBeNull();
  });

  it('says why when the sizes differ or the reference is missing', () => {
    expect(overlayBlocker('b', { width: 48, height: 32 }, reference)).toBe(
      'Image B is 48×32 but the reference is 200×180: the difference and SSIM maps compare aligned pixels, so they are off for it.',
    );
    expect(overlayBlocker('a', { width: 48, height: 32 }, null)).toMatch(/no reference/);
  });
});

describe('whereBlocker', () => {
  const size = { width: 140, height: 140 };

  it('allows A with B, A with the reference, or all three, of one size', () => {
    expect(whereBlocker({ reference: null, a: size, b: size })).toBeNull();
    expect(whereBlocker({ reference: size, a: size, b: null })).toBeNull();
    expect(whereBlocker({ reference: size, a: size, b: size })).toBeNull();
  });

  it('says what is missing, and which image differs in size', () => {
    expect(whereBlocker({ reference: size, a: null, b: size })).toBe('The quality map needs Image A, and Image B or the reference.');
    expect(whereBlocker({ reference: null, a: size, b: null })).toMatch(/needs Image B to compare A with, or the reference/);
    expect(whereBlocker({ reference: { width: 140, height: 100 }, a: size, b: size })).toBe(
      "The reference is 140×100 but Image A is 140×140: the map's tiles are aligned crops, so the images must be the same size.",
    );
  });
});
