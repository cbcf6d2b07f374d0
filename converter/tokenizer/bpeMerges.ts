import { PieceType, type SentencePiece } from './sentencepieceProto.ts';

/**
 * Hugging Face BPE merges from SentencePiece scores, as transformers' `SentencePieceExtractor` derives them for
 * `LlamaConverter`: every split of a piece into two pieces is a merge, ranked by the score of the piece it
 * makes (best first), ties by the id of the left part, then of the right part. That tie order is the one of
 * the LLaMA tokenizer.json that Hugging Face published (it matters only among LLaMA's equal-scored
 * whitespace runs). SentencePiece merges the pair whose result scores best, so ranking by that score
 * reproduces its order.
 *
 * Only NORMAL pieces take part: SentencePiece starts from characters and only ever builds NORMAL pieces
 * (control, byte and unknown pieces are never merged).
 */
export function mergesFromScores(pieces: readonly SentencePiece[]): [string, string][] {
  const idOf = new Map<string, number>();
  pieces.forEach((piece, id) => {
    if (piece.type === PieceType.NORMAL) idOf.set(piece.piece, id);
  });

  const candidates: { left: string; right: string; score: number; leftId: number; rightId: number }[] = [];
  for (const piece of pieces) {
    if (piece.type !== PieceType.NORMAL) continue;
    // Split between code points, as Python slices a str.
    const chars = Array.from(piece.piece);
    for (let cut = 1; cut < chars.length; cut++) {
      const left = chars.slice(0, cut).join('');
      const right = chars.slice(cut).join('');
      const leftId = idOf.get(left);
      const rightId = idOf.get(right);
      if (leftId !== undefined && rightId !== undefined) {
        candidates.push({ left, right, score: piece.score, leftId, rightId });
      }
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.leftId - b.leftId || a.rightId - b.rightId);
  return candidates.map(({ left, right }) => [left, right]);
}
