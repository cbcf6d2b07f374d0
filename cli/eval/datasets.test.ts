import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { splitCsvLine } from '../../src/core/csv.ts';
import { readDataset, tid2013ReferenceName } from './datasets.ts';
import { makeTestGroups, mosOf, writeTestDataset, type TestGroup } from './testing/testDatasets.ts';

let root: string;
let groups: TestGroup[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'depictqa-eval-datasets-'));
  groups = await makeTestGroups({ groups: 3, levels: 2 });
});

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('dataset layouts', () => {
  it.each(['csv', 'kadid10k', 'tid2013'] as const)('%s: one group per reference, MOS from the distortion level', async (layout) => {
    const dataset = readDataset(await writeTestDataset(join(root, layout), layout, groups));
    expect(dataset.layout).toBe(layout);
    expect(dataset.groups).toHaveLength(3);
    for (const group of dataset.groups) {
      expect(group.reference).not.toBeNull();
      expect(group.images).toHaveLength(4);
      expect(group.images.map((image) => image.mos).sort()).toEqual([mosOf('blur', 1), mosOf('blur', 2), mosOf('noise', 1), mosOf('noise', 2)].sort());
    }
    expect(dataset.groups.map((group) => group.key)).toEqual([...dataset.groups.map((group) => group.key)].sort());
  });

  it('methods CSV: one group per id, its images the methods’ outputs named by method, the reference optional', async () => {
    const dir = join(root, 'methods');
    await mkdir(join(dir, 'out'), { recursive: true });
    for (const name of ['ref1.png', 'out/a1.png', 'out/b1.png', 'out/a2.png']) await writeFile(join(dir, name), 'x');
    const csv = join(dir, 'methods.csv');
    await writeFile(csv, 'id,method,path,reference\n1,swinir,out/b1.png,ref1.png\n1,ours,out/a1.png,ref1.png\n2,ours,out/a2.png,\n');
    const dataset = readDataset(csv);
    expect(dataset.layout).toBe('methods');
    expect(dataset.groups.map((g) => [g.key, g.reference, g.images.map((image) => image.name)])).toEqual([
      ['1', join(dir, 'ref1.png'), ['ours', 'swinir']],
      ['2', null, ['ours']],
    ]);
    await writeFile(csv, 'id,method,path\n1,ours,out/a1.png\n1,ours,out/b1.png\n');
    expect(() => readDataset(csv)).toThrow(/method ours is listed twice for id 1 \(line 3\)/);
    await writeFile(csv, 'id,method,path,reference\n1,ours,out/a1.png,ref1.png\n1,swinir,out/b1.png,\n');
    expect(() => readDataset(csv)).toThrow(/id 1 has two references \(line 3\)/);
  });

  it('TID2013: i01_01_1.bmp is an image of I01.BMP, found whatever the case of the file', async () => {
    expect(tid2013ReferenceName('i01_01_1.bmp')).toBe('I01.BMP');
    expect(tid2013ReferenceName('I25_24_5.BMP')).toBe('I25.BMP');
    const dir = join(root, 'tid-case');
    await mkdir(join(dir, 'reference_images'), { recursive: true });
    await mkdir(join(dir, 'distorted_images'), { recursive: true });
    await writeFile(join(dir, 'reference_images', 'i07.bmp'), 'x');
    await writeFile(join(dir, 'distorted_images', 'I07_02_3.BMP'), 'x');
    await writeFile(join(dir, 'mos_with_names.txt'), '4.5 i07_02_3.bmp\n');
    const dataset = readDataset(join(dir, 'mos_with_names.txt'));
    expect(dataset.groups[0]!.key).toBe('I07.BMP');
    expect(dataset.groups[0]!.reference).toBe(join(dir, 'reference_images', 'i07.bmp'));
    expect(dataset.groups[0]!.images[0]!.path).toBe(join(dir, 'distorted_images', 'I07_02_3.BMP'));
  });

  it('triplets: pairs with the share of people preferring A', async () => {
    const dataset = readDataset(await writeTestDataset(join(root, 'triplets'), 'triplets', groups));
    expect(dataset.layout).toBe('triplets');
    expect(dataset.groups).toHaveLength(3);
    expect(dataset.groups[0]!.triplets).toEqual([
      { a: 0, b: 1, humanPrefersA: 0.2 },
      { a: 2, b: 3, humanPrefersA: 0.2 },
    ]);
  });

  it('an empty reference is a no-reference group', async () => {
    const dir = join(root, 'nr');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.png'), 'x');
    await writeFile(join(dir, 'b.png'), 'x');
    await writeFile(join(dir, 'nr.csv'), 'reference,image,mos\n,a.png,3\n,"b.png",4\n');
    const dataset = readDataset(join(dir, 'nr.csv'));
    expect(dataset.groups).toEqual([{ key: '', reference: null, images: [expect.objectContaining({ name: 'a.png', mos: 3 }), expect.objectContaining({ name: 'b.png', mos: 4 })] }]);
  });

  it('an unknown layout names the columns found and the layouts accepted', async () => {
    const path = join(root, 'unknown.csv');
    await writeFile(path, 'file,score\na.png,3\n');
    const error = (() => {
      try {
        readDataset(path);
      } catch (e) {
        return e;
      }
    })() as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.message).toContain('"file", "score"');
    expect(error.hint).toContain('reference,image,mos');
    expect(error.hint).toContain('dist_img,ref_img,dmos,var');
    expect(error.hint).toContain('mos_with_names.txt');
  });

  it('a missing image fails with the path it looked for', async () => {
    const path = join(root, 'missing.csv');
    await writeFile(path, 'reference,image,mos\n,nowhere.png,3\n');
    expect(() => readDataset(path)).toThrow(/nowhere\.png/);
  });

  it('splits quoted CSV cells', () => {
    expect(splitCsvLine('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
  });
});
