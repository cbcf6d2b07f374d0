import type { AskOutput } from '../runAsk.ts';

/** An output for `runAsk`/`runRank` that keeps what they write, for a test to read. */
export function captureIo(): { out: string[]; err: string[]; io: AskOutput } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) } };
}
