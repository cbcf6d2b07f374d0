import { MAX_IMAGES } from './ranking.ts';

/**
 * Which of the newly read images join a ranking's candidates: a file whose SHA-256 is already there (or earlier in
 * the same batch) is refused, and so is everything past the 64th; each refusal is said in a notice.
 */
export function acceptCandidates<T extends { id: string; name: string }>(
  existing: readonly { id: string; name: string }[],
  incoming: readonly T[],
  max = MAX_IMAGES,
): { accepted: T[]; notices: string[] } {
  const byId = new Map(existing.map((image) => [image.id, image.name]));
  const accepted: T[] = [];
  const duplicates: string[] = [];
  const overflow: string[] = [];
  for (const image of incoming) {
    const same = byId.get(image.id);
    if (same !== undefined) duplicates.push(same === image.name ? image.name : `${image.name} (same file as ${same})`);
    else if (existing.length + accepted.length >= max) overflow.push(image.name);
    else {
      accepted.push(image);
      byId.set(image.id, image.name);
    }
  }
  const notices: string[] = [];
  if (duplicates.length > 0) notices.push(`Already among the candidates (same SHA-256), not added: ${list(duplicates)}.`);
  if (overflow.length > 0) {
    notices.push(`A ranking takes at most ${max} candidates: ${overflow.length} ${overflow.length === 1 ? 'file was' : 'files were'} not added (${list(overflow)}). Rank them in a second group.`);
  }
  return { accepted, notices };
}

function list(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}
