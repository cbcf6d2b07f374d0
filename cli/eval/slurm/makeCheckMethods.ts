/**
 * Writes the small method comparison that the Slurm check runs: references and three methods' outputs of known
 * quality (more noise, lower PSNR) for 6 ids, listed in a CSV `id,method,path,reference`, whose path it prints.
 * tsx cli/eval/slurm/makeCheckMethods.ts DIR
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../../../src/core/seededRandom.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: makeCheckMethods.ts DIR');
const NOISE = { clean: 3, mid: 9, rough: 24 };
const [width, height] = [48, 40];
const png = async (path: string, pixels: Uint8Array) => writeFile(path, await sharp(Buffer.from(pixels), { raw: { width, height, channels: 3 } }).png().toBuffer());
const rows = ['id,method,path,reference'];
for (const folder of ['ref', ...Object.keys(NOISE)]) await mkdir(join(dir, folder), { recursive: true });
for (let id = 0; id < 6; id++) {
  const random = mulberry32(id + 7);
  const reference = Uint8Array.from({ length: width * height * 3 }, () => 40 + Math.floor(random() * 170));
  await png(join(dir, 'ref', `${id}.png`), reference);
  for (const [method, noise] of Object.entries(NOISE)) {
    await png(join(dir, method, `${id}.png`), reference.map((v) => Math.max(0, Math.min(255, v + Math.round(noise * (2 * random() - 1))))));
    rows.push(`${id},${method},${method}/${id}.png,ref/${id}.png`);
  }
}
await writeFile(join(dir, 'methods.csv'), `${rows.join('\n')}\n`);
process.stdout.write(`${join(dir, 'methods.csv')}\n`);
