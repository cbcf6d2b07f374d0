/** Writes a complete shard (description and journal) from given records, as if a run had produced it. Test helper only. */
import { mkdir, writeFile } from 'node:fs/promises';
import type { JournalEntry } from '../journal.ts';
import { SHARD_FORMAT, shardJournalPath, writeShardMeta, type ShardGroupMeta } from '../shardMeta.ts';

export async function writeShard(
  out: string,
  layout: 'csv' | 'triplets',
  groups: ShardGroupMeta[],
  records: Array<Pick<JournalEntry, 'group' | 'imageA' | 'imageB' | 'pA' | 'pB'>>,
): Promise<void> {
  await mkdir(out, { recursive: true });
  const shard = { index: 0, count: 1 };
  await writeShardMeta(out, {
    format: SHARD_FORMAT,
    shard,
    dataset: { path: '/fixture', layout, sha256: '0'.repeat(64), groups: groups.length },
    task: 'comparison',
    pairs: 'allPairs',
    comparator: { device: 'fake', variant: 'fake', model: null },
    groups,
    complete: true,
  });
  const lines = records.map((r) => JSON.stringify({ ...r, runs: { vision: 0, decoder: 1, decodeSteps: 0, prefillTokens: 0 }, elapsedMs: 1 }));
  await writeFile(shardJournalPath(out, shard), `${lines.join('\n')}\n`);
}
