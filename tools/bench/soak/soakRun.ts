/**
 * The soak's work, the same in Node and in the browser's engine worker: one loaded engine answers many
 * comparisons (DepictQA's brief comparison, p(▁A)/p(▁B), as Rank and eval ask them) and free answers, and the
 * caller measures its memory at checkpoints. Growth between the first checkpoint (after a warm-up, so that
 * what is allocated once is there) and the last is what the soak looks for.
 */
import type { ImageInput } from '../../../src/core/engine/images.ts';
import type { Engine } from '../../../src/engine/Engine.ts';

export interface SoakPlan {
  comparisons: number;
  answers: number;
  /** The reference first, then the candidates. */
  images: ImageInput[];
  /** Tokens of each free answer. */
  answerTokens: number;
}

export interface SoakProgress {
  comparisons: number;
  answers: number;
}

/** Checkpoints: 'start' after the warm-up, 'middle' halfway, 'end'. */
export type SoakCheckpoint = (label: 'start' | 'middle' | 'end', done: SoakProgress) => Promise<void>;

export async function runSoak(engine: Engine, plan: SoakPlan, checkpoint: SoakCheckpoint, note: (line: string) => void = () => undefined): Promise<SoakProgress> {
  const ids: string[] = [];
  for (const image of plan.images) ids.push((await engine.encodeImage(image)).id);
  const [reference, ...candidates] = ids as [string, ...string[]];
  if (candidates.length < 2) throw new Error('the soak needs a reference and at least two candidates');
  // A fixed walk over the pairs (both orders), so that every run does the same work.
  let step = 0;
  const pair = () => {
    const n = candidates.length;
    const first = step % n;
    const second = (first + 1 + (Math.floor(step / n) % (n - 1))) % n;
    step++;
    return { a: candidates[first]!, b: candidates[second]! };
  };
  const compare = () => engine.compare({ reference, ...pair() });
  const answer = () => engine.generate({ task: 'description', images: { reference, a: candidates[step % candidates.length]! }, question: { index: step % 3 }, maxNewTokens: plan.answerTokens, confidence: false });
  await compare();
  await answer();
  const done: SoakProgress = { comparisons: 0, answers: 0 };
  await checkpoint('start', { ...done });
  const total = plan.comparisons + plan.answers;
  let middle = false;
  for (let k = 0; k < total; k++) {
    // Answers spread evenly among the comparisons.
    const answerDue = plan.answers > 0 && Math.floor(((k + 1) * plan.answers) / total) > done.answers;
    if (answerDue) {
      await answer();
      done.answers++;
    } else {
      await compare();
      done.comparisons++;
    }
    if (!middle && k + 1 >= total / 2) {
      middle = true;
      await checkpoint('middle', { ...done });
    }
    if ((k + 1) % 50 === 0) note(`soak: ${done.comparisons} comparisons, ${done.answers} answers`);
  }
  await checkpoint('end', { ...done });
  return done;
}
