import type { PositionKey } from '../prompt/buildPrompt.ts';
import type { LanguageModel } from './LanguageModel.ts';

/**
 * The KV cache's content as position keys (token ids and image rows), kept in step with the model's valid
 * positions, so that a new prompt reuses whatever prefix it shares with what was run before: another
 * question about the same images skips the image rows entirely.
 */
export class SequenceCache {
  private keys: PositionKey[] = [];

  constructor(readonly model: LanguageModel) {}

  get length(): number {
    return this.keys.length;
  }

  /**
   * Keeps the longest cached prefix of `prompt`, minus its last position (which must run to give logits),
   * drops the rest, and returns the number of positions kept.
   */
  reuse(prompt: readonly PositionKey[]): number {
    this.sync();
    const limit = Math.min(this.keys.length, prompt.length - 1);
    let shared = 0;
    while (shared < limit && this.keys[shared] === prompt[shared]) shared++;
    this.truncate(shared);
    return shared;
  }

  truncate(positions: number): void {
    this.sync();
    this.model.truncate(positions);
    this.keys.length = positions;
  }

  /** Runs `embeds` [keys.length, hidden] after the cached positions; returns the last position's logits. */
  async append(keys: readonly PositionKey[], embeds: Float32Array): Promise<Float32Array> {
    try {
      const logits = await this.model.forward(embeds);
      this.keys.push(...keys);
      return logits;
    } finally {
      this.sync();
    }
  }

  clear(): void {
    this.truncate(0);
  }

  /** A failed run empties the model's cache; forget the keys with it. */
  private sync(): void {
    if (this.model.cachedPositions !== this.keys.length) {
      this.keys.length = Math.min(this.keys.length, this.model.cachedPositions);
      this.model.truncate(this.keys.length);
    }
  }
}
