import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_KINDS, PROMPTS } from '../../src/core/prompt/prompts.ts';
import { splitOnSpecialTokens } from '../../src/core/prompt/specialTokens.ts';
import { writeVicunaTokenizer } from '../../tools/tiny/tokenizer.ts';
import { convertTokenizer } from './convertTokenizer.ts';
import { referenceEncodePiece } from '../../tools/oracles/tokenizer/llamaReference.ts';
import { readTokenizerModel } from './readTokenizerModel.ts';

/**
 * Cross-checks against the sentencepiece library itself (Debian's python3-sentencepiece, run by
 * /usr/bin/python3): it must load the tokenizer.model written here and encode like the reference, and the
 * converter must reproduce a BPE model that sentencepiece trained.
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../tools/oracles/tokenizer/spmReference.py', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import sentencepiece'], { encoding: 'utf8' });
const missing = probe.status === 0 ? undefined : `${PYTHON} with sentencepiece is not available (apt-get install python3-sentencepiece)`;
if (missing !== undefined) console.warn(`skipping the sentencepiece cross-checks: ${missing}`);

function spm<T>(request: Record<string, unknown>): T {
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`spmReference.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface Encoded {
  piece_size: number;
  bos_id: number;
  eos_id: number;
  unk_id: number;
  ids: number[][];
}

let dir: string;
let corpus: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spm-library-'));
  corpus = join(dir, 'corpus.txt');
  await writeFile(corpus, `${trainingText().join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(missing !== undefined)('sentencepiece library', () => {
  it('loads the written tokenizer.model and encodes every prompt piece like the reference', async () => {
    await writeVicunaTokenizer(join(dir, 'vicuna'));
    const pieces = new Set<string>(['Image', ' A', '  double  spaces ', 'é 中文 😀 2024', '<Img-A>']);
    for (const kind of PROMPT_KINDS) {
      for (const chunk of PROMPTS.prompt_chunks[kind]) {
        if (!('text' in chunk)) continue;
        const text = chunk.text.split('{question}').join(PROMPTS.questions.instant_rating_AB[0] + PROMPTS.short_answer_tail);
        for (const part of splitOnSpecialTokens(text)) if (typeof part === 'string') pieces.add(part);
      }
    }
    const texts = [...pieces];
    const answer = spm<Encoded>({ command: 'encode', model: join(dir, 'vicuna', 'tokenizer.model'), texts });
    expect([answer.piece_size, answer.unk_id, answer.bos_id, answer.eos_id]).toEqual([32000, 0, 1, 2]);
    texts.forEach((text, i) => expect(answer.ids[i], JSON.stringify(text)).toEqual(referenceEncodePiece(text)));
  });

  it('converts a BPE model trained by sentencepiece so that transformers.js encodes as sentencepiece does', async () => {
    const trained = spm<{ model: string }>({ command: 'train', corpus, prefix: join(dir, 'tiny_bpe'), model_type: 'bpe', vocab_size: 400 });
    const out = join(dir, 'tiny-bundle');
    await mkdir(out);
    const converted = await convertTokenizer(trained.model, out);
    expect(converted.vocabSize).toBe(400);

    env.allowRemoteModels = false;
    env.localModelPath = '/';
    const tokenizer = await AutoTokenizer.from_pretrained(out, { local_files_only: true });
    const texts = [
      'Compare the overall quality of Image A with Image B.',
      '  spaces   and\nnewlines ',
      'Zebra quixotic 中文 😀 2024',
      ' Reference Image: <Img-Reference>',
    ];
    const answer = spm<Encoded>({ command: 'encode', model: trained.model, texts });
    texts.forEach((text, i) => {
      expect(tokenizer.encode(text, { add_special_tokens: false }), JSON.stringify(text)).toEqual(answer.ids[i]);
    });
  });

  it('refuses a Unigram model trained by sentencepiece', async () => {
    const trained = spm<{ model: string }>({ command: 'train', corpus, prefix: join(dir, 'tiny_unigram'), model_type: 'unigram', vocab_size: 400 });
    await expect(readTokenizerModel(trained.model)).rejects.toMatchObject({
      code: 'TOKENIZER_INVALID',
      message: expect.stringMatching(/tiny_unigram\.model: a Unigram SentencePiece model/),
    });
  });
});

/** Training text: every built-in question and the prompt chunks (~18 KB). */
function trainingText(): string[] {
  const q = PROMPTS.questions;
  return [
    ...q.assessment_reasoning,
    ...q.comparison_reasoning,
    ...q.instant_rating_AB,
    ...q.distortion_identification_full_reference.flat(),
    ...q.distortion_identification_no_reference.flat(),
    ...PROMPT_KINDS.flatMap((kind) => PROMPTS.prompt_chunks[kind].flatMap((chunk) => ('text' in chunk ? [chunk.text] : []))),
  ];
}
