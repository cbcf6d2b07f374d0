/**
 * `--explain N`: DepictQA's Reasoning answer for each of the N strongest disagreements (a confident verdict of the
 * model that a metric contradicts), the preferred output shown as Image A. Each answer is kept in OUT's
 * explanations.json as soon as it is written, so a killed run resumes without asking it again.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import type { Disagreement } from '../../src/core/methods/methodStats.ts';
import type { Explanation } from '../../src/core/methods/methodsReport.ts';
import type { CliIo } from '../flags/runCli.ts';
import type { Comparator, ComparatorInfo } from '../eval/comparator.ts';
import { writeFileDurably } from '../fs/durableWrite.ts';
import type { MatchResult } from './matchMethods.ts';

interface ExplanationsFile {
  comparator: ComparatorInfo;
  explanations: Explanation[];
}

export const explanationsPath = (out: string) => join(out, 'explanations.json');
const keyOf = (d: Pick<Disagreement, 'id' | 'better' | 'worse'>) => `${d.id}\n${d.better}\n${d.worse}`;

export async function explainDisagreements(
  out: string,
  disagreements: readonly Disagreement[],
  match: Pick<MatchResult, 'outputs'>,
  comparator: Comparator,
  count: number,
  io: CliIo,
): Promise<Explanation[]> {
  const reason = comparator.reason;
  if (reason === undefined) {
    throw new AppError('BAD_ARGUMENTS', `The ${comparator.info.device} comparator gives no Reasoning answers, so --explain cannot run.`, {
      hint: 'Leave out --explain, or run with the model (--bundle DIR).',
    });
  }
  // Answers of an earlier run with the same model are kept; another model's are asked again.
  const done = new Map<string, Explanation>();
  if (existsSync(explanationsPath(out))) {
    const file = JSON.parse(await readFile(explanationsPath(out), 'utf8')) as ExplanationsFile;
    if (JSON.stringify(file.comparator) === JSON.stringify(comparator.info)) for (const e of file.explanations) done.set(keyOf(e), e);
  }
  const pathOf = (id: string, method: string) => {
    const output = match.outputs.find((o) => o.id === id && o.method === method);
    if (output === undefined) throw new AppError('INTERNAL', `no output of ${method} for id ${id} in match.json`);
    return output;
  };
  const chosen = disagreements.slice(0, count);
  const explanations: Explanation[] = [];
  for (const [k, d] of chosen.entries()) {
    const known = done.get(keyOf(d));
    if (known !== undefined) {
      explanations.push(known);
      continue;
    }
    io.err(`compare explain ${k + 1}/${chosen.length}: ${d.id}, ${d.better} over ${d.worse}\n`);
    const better = pathOf(d.id, d.better);
    const answer = await reason.call(comparator, { reference: better.reference, imageA: better.path, imageB: pathOf(d.id, d.worse).path });
    const prefers = answer.verdict === 'A' ? d.better : answer.verdict === 'B' ? d.worse : null;
    explanations.push({ id: d.id, better: d.better, worse: d.worse, confidence: d.confidence, text: answer.text, prefers, runs: answer.runs });
    done.set(keyOf(d), explanations.at(-1)!);
    const file: ExplanationsFile = { comparator: comparator.info, explanations: [...done.values()] };
    await writeFileDurably(explanationsPath(out), `${JSON.stringify(file, null, 1)}\n`);
  }
  return explanations;
}
