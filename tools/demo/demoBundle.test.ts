import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_SOURCES, demoBundleKey, importClosure } from './demoBundle.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'demo-key-'));
  await mkdir(join(root, 'lib'));
  await writeFile(join(root, 'entry.ts'), "import { b } from './lib/b.ts';\nimport type { C } from './lib/c.ts';\nimport fs from 'node:fs';\n");
  await writeFile(join(root, 'lib/b.ts'), "export const b = () => import('./d.ts');\nexport { e } from '../e.ts';\n");
  for (const name of ['lib/c.ts', 'lib/d.ts', 'e.ts', 'unrelated.ts']) await writeFile(join(root, name), `export const ${name.replace(/\W/g, '')} = 1;\n`);
  await writeFile(join(root, 'package-lock.json'), '{"lockfileVersion": 3}\n');
});

afterEach(() => rm(root, { recursive: true, force: true }));

describe('importClosure', () => {
  it('follows static, type-only, dynamic and re-export imports, and no package', async () => {
    expect(await importClosure(['entry.ts'], root)).toEqual(['e.ts', 'entry.ts', 'lib/b.ts', 'lib/c.ts', 'lib/d.ts']);
  });

  it('reaches the converter and the tiny factory modules of this repository', async () => {
    const closure = await importClosure(BUNDLE_SOURCES);
    expect(closure).toEqual(expect.arrayContaining([...BUNDLE_SOURCES, 'converter/quantize.ts', 'tools/tiny/weights.ts', 'src/core/bundle/manifest.ts']));
  });
});

describe('demoBundleKey', () => {
  it('changes when a module the converter imports changes, or the lock file; not for another file', async () => {
    const key = await demoBundleKey(root, ['entry.ts']);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(await demoBundleKey(root, ['entry.ts'])).toBe(key);

    await writeFile(join(root, 'unrelated.ts'), 'export const unrelated = 2;\n');
    expect(await demoBundleKey(root, ['entry.ts'])).toBe(key);

    await writeFile(join(root, 'lib/d.ts'), 'export const libdts = 2;\n');
    const changed = await demoBundleKey(root, ['entry.ts']);
    expect(changed).not.toBe(key);

    await writeFile(join(root, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {}}\n');
    expect(await demoBundleKey(root, ['entry.ts'])).not.toBe(changed);
  });
});
