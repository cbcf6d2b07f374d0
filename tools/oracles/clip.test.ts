/**
 * The TypeScript vision references against PyTorch (fixtures/clipTiny.json, written by make_clip_fixture.py):
 * HF CLIPVisionModel transcribed, DepictQA's bicubic position resize, nn.TransformerDecoder, the projector.
 */
import { describe, expect, it } from 'vitest';
import { expectAppError } from '../../converter/checkpoint/testing/support.ts';
import { relativeMaxError } from '../testing/errorMetrics.ts';
import { ClipVisionReference, referenceImageFeatures } from './clip.ts';
import { AbstractorReference } from './clipAbstractor.ts';
import { loadClipFixture } from './testing/clipFixture.ts';

const fixture = loadClipFixture();
const tower = new ClipVisionReference(fixture.config, fixture.weights);
const abstractor = new AbstractorReference(fixture.abstractor, fixture.weights);
const projection = { weight: fixture.weights.get('vision_proj.weight')!.data, bias: fixture.weights.get('vision_proj.bias')!.data };

describe('CLIP vision reference vs PyTorch', () => {
  it('covers the trained grid and resized grids, smaller and larger on each axis', () => {
    expect(fixture.cases.map((c) => [c.height / 14, c.width / 14])).toEqual([
      [4, 4],
      [3, 5],
      [5, 2],
    ]);
  });

  it.each(fixture.cases.map((c) => [`${c.height}×${c.width}`, c] as const))('patch features of a %s image match to 1e-5', (_, c) => {
    const features = tower.patchFeatures(c.pixels.data, c.height, c.width);
    expect(features.length).toBe(c.patchFeatures.data.length);
    expect(relativeMaxError(c.patchFeatures.data, features)).toBeLessThan(1e-5);
  });

  it.each(fixture.cases.map((c) => [`${c.height}×${c.width}`, c] as const))('Abstractor and projector outputs of a %s image match to 1e-5', (_, c) => {
    const rows = c.patchFeatures.shape[0]!;
    // From PyTorch's own patch features, so that each stage is checked on its own.
    expect(relativeMaxError(c.abstractorOutput.data, abstractor.forward(c.patchFeatures.data, rows))).toBeLessThan(1e-5);
    const projected = referenceImageFeatures({ tower, projection }, c.pixels.data, c.height, c.width);
    expect(relativeMaxError(c.projected.data, projected)).toBeLessThan(1e-5);
    const withAbstractor = referenceImageFeatures({ tower, abstractor, projection }, c.pixels.data, c.height, c.width);
    expect(withAbstractor.length).toBe(fixture.abstractor.numQueries * projection.bias.length);
    expect(relativeMaxError(c.projectedAbstractor.data, withAbstractor)).toBeLessThan(1e-5);
  });

  it('refuses a dropped or misshapen weight and a size that is not whole patches', async () => {
    const without = new Map(fixture.weights);
    without.delete('vision_model.encoder.layers.1.mlp.fc2.bias');
    await expectAppError(Promise.resolve().then(() => new ClipVisionReference(fixture.config, without)), 'CHECKPOINT_INVALID', 'layers.1.mlp.fc2.bias is missing');
    const misshapen = new Map(fixture.weights);
    misshapen.set('abstractor.query_embeds', { dtype: 'F32', shape: [6, 16], data: new Float32Array(96) });
    await expectAppError(Promise.resolve().then(() => new AbstractorReference(fixture.abstractor, misshapen)), 'CHECKPOINT_INVALID', 'expected [6, 1, 16]');
    const c = fixture.cases[1]!;
    await expectAppError(Promise.resolve().then(() => tower.patchFeatures(c.pixels.data, 43, 70)), 'BAD_ARGUMENTS', '43 × 70');
  });
});
