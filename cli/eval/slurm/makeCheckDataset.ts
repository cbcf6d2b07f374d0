/** Writes the small CSV dataset that the Slurm check evaluates: tsx cli/eval/slurm/makeCheckDataset.ts DIR */
import { makeTestGroups, writeTestDataset } from '../testing/testDatasets.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: makeCheckDataset.ts DIR');
const groups = await makeTestGroups({ groups: 6, levels: 3 });
process.stdout.write(`${await writeTestDataset(dir, 'csv', groups)}\n`);
