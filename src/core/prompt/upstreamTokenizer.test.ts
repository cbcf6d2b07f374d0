import llamaTokenizer from 'llama-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { assemblePrompt } from './assemblePrompt.ts';
import { PROMPT_KINDS, PROMPTS, QUESTION_MARKER, type PromptKind } from './prompts.ts';
import { UPSTREAM_FIXTURE, upstreamPrompt, upstreamTokenizer } from './testing/upstreamFixture.ts';
import { createTextTokenizer } from './textTokenizer.ts';

/**
 * Our tokenizer rules (encodeTextChunk, detokenize) over an independent LLaMA BPE (llama-tokenizer-js, real
 * vocabulary) against what transformers 4.35.0 itself made of DepictQA's prompts (the committed fixture).
 */
const encodeRaw = (text: string): number[] => llamaTokenizer.encode(text, false, false);
const pieceOf = (id: number): string | undefined => llamaTokenizer.vocabById[id];

const kindsOf = (compare: boolean): PromptKind[] => PROMPT_KINDS.filter((kind) => kind.startsWith(compare ? 'compare' : 'single'));

describe('the upstream tokenizer fixture', () => {
  it('comes from transformers 4.35.0 with Vicuna’s legacy: false, and holds both legacy values', () => {
    expect(UPSTREAM_FIXTURE.library.transformers).toBe('4.35.0');
    expect(UPSTREAM_FIXTURE.configuredLegacy).toBe(false);
    expect(UPSTREAM_FIXTURE.tokenizers.map((t) => t.legacy)).toEqual([false, true]);
  });

  it('rebuilds from DepictQA’s formulas the same chunk texts that prompts.json holds', () => {
    for (const kind of PROMPT_KINDS) {
      const texts = PROMPTS.prompt_chunks[kind].flatMap((chunk) => ('text' in chunk ? [chunk.text] : []));
      expect(upstreamTokenizer(false).kinds[kind].map((chunk) => chunk.text), kind).toEqual(texts.slice(0, -1));
      expect(texts.at(-1)).toContain(QUESTION_MARKER);
    }
  });

  it('differs between the legacy values only in the ▁ after each </s>, and where a piece follows a special token', () => {
    const [modern, legacy] = [upstreamTokenizer(false), upstreamTokenizer(true)];
    const first = (t: typeof modern) => t.kinds.compare_full_reference[1]!.ids;
    // "</Img-Reference>\n\n </s> Image A: <Img-A>": legacy keeps a lone ▁ (29871) after </s>.
    expect(first(legacy)).toEqual([...first(modern).slice(0, 9), 29871, ...first(modern).slice(9)]);
    expect(first(modern).slice(8, 10)).toEqual([2, 7084]); // </s> ▁Image
  });
});

describe.each([false, true])('our tokenizer, legacy=%s, against transformers 4.35.0', (legacy) => {
  const upstream = upstreamTokenizer(legacy);
  const tokenizer = createTextTokenizer(encodeRaw, pieceOf, legacy);

  it('encodes every chunk before and between the images', () => {
    for (const kind of PROMPT_KINDS) {
      for (const chunk of upstream.kinds[kind]) expect(tokenizer.encodeChunk(chunk.text), JSON.stringify(chunk.text)).toEqual(chunk.ids);
    }
  });

  it('assembles every built-in question, the odd typed ones and the brief re-ask as upstream does, in every kind', () => {
    expect(upstream.questions.filter((q) => q.task === 'typed').length).toBeGreaterThanOrEqual(15);
    expect(upstream.questions.filter((q) => q.task === 're-ask').map((q) => q.text)).toEqual([`Which image is better?${PROMPTS.short_answer_tail}`]);
    let prompts = 0;
    for (const question of upstream.questions) {
      for (const compare of [true, false]) {
        if ((compare ? question.compare : question.single) === undefined) continue;
        for (const kind of kindsOf(compare)) {
          expect(assemblePrompt(kind, question.text, tokenizer.encodeChunk), `${kind} ${JSON.stringify(question.text)}`).toEqual(
            upstreamPrompt(upstream, kind, question),
          );
          prompts++;
        }
      }
    }
    expect(prompts).toBeGreaterThan(400);
  });

  it('encodes answers with their trained ending and decodes them as batch_decode(skip_special_tokens=True)', () => {
    for (const answer of upstream.answers) {
      expect(tokenizer.encodeChunk(answer.text), JSON.stringify(answer.text)).toEqual(answer.ids);
      expect(tokenizer.decode(answer.ids), JSON.stringify(answer.text)).toBe(answer.decoded);
    }
    for (const { ids, decoded } of upstream.decodes) expect(tokenizer.decode(ids), JSON.stringify(ids)).toBe(decoded);
  });
});
