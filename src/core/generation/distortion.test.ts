import { describe, expect, it } from 'vitest';
import prompts from '../prompt/prompts.json';
import { DISTORTION_NAMES, parseDistortion, parseDistortions } from './distortion.ts';

describe('DISTORTION_NAMES', () => {
  it('is the twelve v2 names of prompts.json', () => {
    expect(DISTORTION_NAMES).toEqual(prompts.distortion_names_v2);
    expect(DISTORTION_NAMES).toHaveLength(12);
  });
});

describe('parseDistortion', () => {
  it.each(DISTORTION_NAMES.map((name) => [name[0]!.toUpperCase() + name.slice(1), name]))(
    'reads the trained short answer %j',
    (answer, name) => {
      expect(parseDistortion(`${answer}\n `)).toBe(name);
    },
  );

  it.each([
    ['None', 'None'],
    ['none.', 'None'],
    ['The quality of the evaluated image is quite good without any distortion.', 'None'],
    ['The primary degradation in the evaluated image is noise.', 'noise'],
    ['The most apparent distortion in the evaluated image is color quantization.', 'color quantization'],
    ['The chief TWO degradations in the evaluated image are overly high contrast and blur.', 'overly high contrast'],
    ['Noise and blur', 'noise'],
    ['JPEG compression artifacts', 'compression'],
    ['Over-sharpening', 'oversharpening'],
    ['The image is pixelated', 'pixelation'],
    ['Oversaturation!', 'overly high saturation'],
    ['Underexposed', 'insufficient brightness'],
    ['Low contrast.', 'insufficient contrast'],
    ['Colour quantisation', 'color quantization'],
    ['Blurry', 'blur'],
  ])('%j → %s', (answer, expected) => {
    expect(parseDistortion(answer)).toBe(expected);
  });

  it.each(['Saturation', 'Contrast issues', 'Brightness', 'Lens flare', 'The image looks fine to me', '', 'Noise and saturation'])(
    'returns null for %j',
    (answer) => {
      expect(parseDistortion(answer)).toBeNull();
    },
  );
});

describe('parseDistortions', () => {
  it('lists every named distortion in order, once', () => {
    expect(parseDistortions('Insufficient brightness and noise')).toEqual(['insufficient brightness', 'noise']);
    expect(parseDistortions('Blur, blurriness and overly high brightness')).toEqual(['blur', 'overly high brightness']);
    expect(parseDistortions('The image has no noise but is blurred.')).toEqual(['blur']);
    expect(parseDistortions('None')).toBe('None');
  });
});
