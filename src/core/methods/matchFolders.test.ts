import { describe, expect, it } from 'vitest';
import { guessReferenceFolder, matchFolders, stemOf } from './matchFolders.ts';

const folder = (name: string, ...files: string[]) => ({ name, files: files.map((file) => ({ name: file, file: `${name}/${file}` })) });

describe('matchFolders', () => {
  it('matches outputs to references by stem, listing what a method lacks and what has no reference', () => {
    const match = matchFolders([folder('ours', '1.png', '2.jpg', '10.png'), folder('swinir', '1.png', '10.png', '9.png')], folder('hr', '1.png', '10.png', '2.png'));
    expect(match.ids).toEqual(['1', '10', '2']);
    expect(match.outputs.map((o) => `${o.method}/${o.id}:${o.file}<${o.reference}`)).toEqual([
      'ours/1:ours/1.png<hr/1.png',
      'ours/10:ours/10.png<hr/10.png',
      'ours/2:ours/2.jpg<hr/2.png',
      'swinir/1:swinir/1.png<hr/1.png',
      'swinir/10:swinir/10.png<hr/10.png',
    ]);
    expect(match.missing).toEqual([{ method: 'swinir', id: '2' }]);
    expect(match.skipped).toEqual([{ method: 'swinir', id: '9', reason: 'no reference image is named 9' }]);
  });

  it('without references, every stem seen is an id', () => {
    const match = matchFolders([folder('a', 'x.png'), folder('b', 'y.png')], null);
    expect(match.ids).toEqual(['x', 'y']);
    expect(match.missing).toEqual([{ method: 'a', id: 'y' }, { method: 'b', id: 'x' }]);
  });

  it('refuses two files of one stem, one method, more than 16, a name used twice, an empty folder', () => {
    expect(() => matchFolders([folder('a', '0.png', '0.jpg'), folder('b', '0.png')], null)).toThrow(/method a has 1 file stem\(s\) used twice, first "0": 0\.jpg, 0\.png in a/);
    expect(() => matchFolders([folder('a', '0.png')], null)).toThrow(/2 to 16 of them; got 1 \(a\)/);
    expect(() => matchFolders(Array.from({ length: 17 }, (_, k) => folder(`m${k}`, '0.png')), null)).toThrow(/got 17/);
    expect(() => matchFolders([folder('a', '0.png'), folder('a', '0.png')], null)).toThrow(/Method a is named twice/);
    expect(() => matchFolders([folder('a', '0.png'), folder('b')], null)).toThrow(/method b: b holds no files/);
  });

  it('takes ref, gt, HR and the like as the reference folder, and stems without the last extension', () => {
    expect(guessReferenceFolder(['ours', 'HR', 'swinir'])).toBe('HR');
    expect(guessReferenceFolder(['ours', 'swinir'])).toBeNull();
    expect(stemOf('0801.x4.png')).toBe('0801.x4');
    expect(stemOf('.hidden')).toBe('.hidden');
  });
});
