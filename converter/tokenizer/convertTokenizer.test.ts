import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { assemblePrompt, promptKindFor, taskQuestion } from '../../src/core/prompt/assemblePrompt.ts';
import { PROMPT_KINDS, PROMPTS, QUESTION_MARKER } from '../../src/core/prompt/prompts.ts';
import { splitOnSpecialTokens } from '../../src/core/prompt/specialTokens.ts';
import { upstreamPrompt, upstreamTaskPrompts, upstreamTokenizer } from '../../src/core/prompt/testing/upstreamFixture.ts';
import { convertTokenizer } from './convertTokenizer.ts';
import { referenceEncodeText } from '../../tools/oracles/tokenizer/llamaReference.ts';
import { buildVicunaTestBundle, loadFolderTokenizer, type VicunaTestBundle } from '../../tools/testing/tokenizer/vicunaTokenizer.ts';

let bundle: VicunaTestBundle;
beforeAll(async () => {
  bundle = await buildVicunaTestBundle();
});
afterAll(() => bundle.remove());

/** Every text the prompts can produce: raw chunks, every question with and without the tail, in place. */
function promptTexts(): string[] {
  const { questions, short_answer_tail: tail } = PROMPTS;
  const allQuestions = [
    ...questions.assessment_reasoning,
    ...questions.comparison_reasoning,
    ...questions.instant_rating_AB,
    ...questions.distortion_identification_full_reference.flat(),
    ...questions.distortion_identification_no_reference.flat(),
  ];
  const texts = new Set<string>();
  for (const kind of PROMPT_KINDS) {
    for (const chunk of PROMPTS.prompt_chunks[kind]) {
      if (!('text' in chunk)) continue;
      texts.add(chunk.text);
      if (!chunk.text.includes(QUESTION_MARKER)) continue;
      for (const question of allQuestions) {
        for (const asked of [question, question + tail]) {
          texts.add(asked);
          texts.add(chunk.text.split(QUESTION_MARKER).join(asked));
        }
      }
    }
  }
  return [...texts];
}

const HARD_STRINGS = [
  '',
  '  two leading spaces',
  'trailing spaces  ',
  'double  spaces and   three',
  'x                    y (twenty spaces)',
  'line one\nline two\n\nafter a blank line\n',
  '\ttab\tseparated',
  'digits 2024, 3.14159, 1234567890 and 0',
  'café, naïve, é',
  '中文 and 日本語',
  'emoji 😀 👍🏽 🇫🇷',
  '<Img-A> <Img-B> <Img-Reference> </Img> </Img-A>',
  'Image A: <Img-A>\n\n </s> Image B:',
  'x<s>y<unk>z</s>',
  '</s></s>',
  'a▁b ▁ c',
];

describe('convertTokenizer on Vicuna’s tokenizer.model', () => {
  it('writes the two bundle files and reports what it read', async () => {
    expect(bundle.converted).toMatchObject({
      files: ['tokenizer.json', 'tokenizer_config.json'],
      source: 'tokenizer.model',
      vocabSize: 32000,
      mergeCount: 61249,
    });
    expect(bundle.converted.legacy).toBe(false);
    expect(bundle.converted.notes).toEqual([expect.stringMatching(/tokenizer_config\.json: legacy=false, as Vicuna's: the text after a special token gets no ▁/)]);
    const config = JSON.parse(await readFile(join(bundle.bundleDir, 'tokenizer_config.json'), 'utf8'));
    expect(config).toEqual({
      tokenizer_class: 'LlamaTokenizer',
      bos_token: '<s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      pad_token: null,
      add_bos_token: true,
      add_eos_token: false,
      legacy: false,
      clean_up_tokenization_spaces: false,
      model_max_length: 4096,
      padding_side: 'right',
    });
  });

  it('writes the legacy LLaMA pipeline: per-piece ▁ prefix, no pre-tokenizer, byte fallback', async () => {
    const text = await readFile(join(bundle.bundleDir, 'tokenizer.json'), 'utf8');
    const json = JSON.parse(text);
    expect(json.normalizer).toEqual({
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    });
    expect(json.pre_tokenizer).toBeNull();
    expect(json.added_tokens.map((t: { id: number; content: string; normalized: boolean; special: boolean }) => [t.id, t.content, t.normalized, t.special])).toEqual([
      [0, '<unk>', false, true],
      [1, '<s>', false, true],
      [2, '</s>', false, true],
    ]);
    expect(json.model).toMatchObject({ type: 'BPE', unk_token: '<unk>', fuse_unk: true, byte_fallback: true });
    // Written in id order (JSON.parse would list integer-like keys such as "0" first).
    expect(text).toContain('"vocab":{"<unk>":0,"<s>":1,"</s>":2,"<0x00>":3,');
    expect(Object.keys(json.model.vocab)).toHaveLength(32000);
    expect(json.model.vocab['▁Image']).toBe(7084);
    expect(json.model.merges.slice(0, 2)).toEqual([['▁', 't'], ['e', 'r']]);
    expect(json.decoder.decoders.map((d: { type: string }) => d.type)).toEqual(['Replace', 'ByteFallback', 'Fuse', 'Strip']);
  });

  it('on its own in transformers.js, tokenizes every prompt chunk and question as the legacy reference does', () => {
    const texts = promptTexts();
    expect(texts.length).toBeGreaterThan(400);
    for (const text of texts) {
      expect(bundle.tokenizer.encode(text, { add_special_tokens: false }), JSON.stringify(text)).toEqual(referenceEncodeText(text));
    }
  });

  it('tokenizes hard strings like the reference: spaces, newlines, digits, non-ASCII, byte fallback, tags', () => {
    for (const text of HARD_STRINGS) {
      expect(bundle.tokenizer.encode(text, { add_special_tokens: false }), JSON.stringify(text)).toEqual(referenceEncodeText(text));
    }
    // 😀 is not a piece: four byte pieces <0xF0> <0x9F> <0x98> <0x80> (ids = byte + 3).
    expect(bundle.encodePiece('😀')).toEqual([29871, 0xf0 + 3, 0x9f + 3, 0x98 + 3, 0x80 + 3]);
  });

  it('has the known ids: ▁Image 7084, ▁A 319, ▁B 350, \\n 13, ▁ 29871, </s> 2, <s> first', () => {
    expect(bundle.encodePiece('Image')).toEqual([7084]);
    expect(bundle.encodePiece('A')).toEqual([319]);
    expect(bundle.encodePiece(' A')).toEqual([29871, 319]);
    expect(bundle.encodePiece('B')).toEqual([350]);
    expect(bundle.encodePiece('\n')).toEqual([29871, 13]);
    expect(bundle.tokenizer.encode('</s>', { add_special_tokens: false })).toEqual([2]);
    expect(bundle.tokenizer.encode('Image A')).toEqual([1, 7084, 319]);
    expect([bundle.tokenizer.bos_token_id, bundle.tokenizer.eos_token_id, bundle.tokenizer.unk_token_id]).toEqual([1, 2, 0]);
  });

  it('decodes each piece back to its text, in transformers.js and in the engine', () => {
    for (const text of promptTexts()) {
      for (const part of splitOnSpecialTokens(text)) {
        if (typeof part !== 'string') continue;
        expect(bundle.tokenizer.decode(bundle.encodePiece(part))).toBe(part);
        expect(bundle.text.decode(bundle.text.encodePiece(part))).toBe(part);
      }
    }
  });
});

describe('convertTokenizer inputs', () => {
  it('takes the folder, or a tokenizer.json (keeping vocab and merges, rebuilding the legacy pipeline)', async () => {
    const fromFolder = join(bundle.root, 'from-folder');
    await mkdir(fromFolder);
    await convertTokenizer(bundle.vicunaDir, fromFolder);
    const original = await readFile(join(bundle.bundleDir, 'tokenizer.json'), 'utf8');
    expect(await readFile(join(fromFolder, 'tokenizer.json'), 'utf8')).toBe(original);

    // A tokenizer.json as newer transformers write it (non-legacy Metaspace, string merges).
    const json = JSON.parse(original);
    json.normalizer = null;
    json.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false };
    json.model.merges = json.model.merges.map(([l, r]: [string, string]) => `${l} ${r}`);
    const source = join(bundle.root, 'fast');
    await mkdir(source);
    await writeFile(join(source, 'tokenizer.json'), JSON.stringify(json));
    const out = join(bundle.root, 'from-json');
    await mkdir(out);
    const converted = await convertTokenizer(join(source, 'tokenizer.json'), out, { modelMaxLength: 2048 });
    expect(converted.source).toBe('tokenizer.json');
    expect(converted.notes).toEqual([
      expect.stringMatching(/Metaspace pre-tokenizer is a newer transformers' form; rewritten in transformers 4\.35's/),
      expect.stringMatching(/fast[/\\]tokenizer_config\.json: not found; legacy=true, as transformers 4\.35 reads a missing flag/),
    ]);
    expect(converted.legacy).toBe(true);
    expect(await readFile(join(out, 'tokenizer.json'), 'utf8')).toBe(original);
    expect(JSON.parse(await readFile(join(out, 'tokenizer_config.json'), 'utf8')).model_max_length).toBe(2048);
  });

  it('refuses a text file, broken JSON and JSON that is no tokenizer, naming the file', async () => {
    const out = join(bundle.root, 'refused');
    await mkdir(out);
    const cases: [string, string, RegExp][] = [
      ['readme.txt', 'Vicuna weights go here.\n', /readme\.txt: not a SentencePiece model/],
      ['broken.json', '{"model": {', /broken\.json: not JSON/],
      ['config.json', '{"model_type": "llama"}', /config\.json: no "model" object/],
      ['wordpiece.json', '{"model": {"type": "WordPiece", "vocab": {}}}', /wordpiece\.json: model type "WordPiece"/],
    ];
    for (const [name, content, message] of cases) {
      const path = join(bundle.root, name);
      await writeFile(path, content);
      const error = await convertTokenizer(path, out).catch((caught: unknown) => caught);
      expect(error, name).toBeInstanceOf(AppError);
      expect(error, name).toMatchObject({ code: 'TOKENIZER_INVALID', message: expect.stringMatching(message) });
    }
    await expect(convertTokenizer(join(bundle.root, 'nothing-here'), out)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(convertTokenizer(out, out)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('the converted tokenizer in the engine, against transformers 4.35.0', () => {
  it('assembles every task’s prompt as upstream does (Vicuna’s legacy: false)', () => {
    expect(bundle.text.legacy).toBe(false);
    for (const { task, hasReference, kind, question, segments } of upstreamTaskPrompts(false)) {
      expect(promptKindFor(task, hasReference)).toBe(kind);
      expect(taskQuestion(task, { hasReference })).toBe(question);
      expect(assemblePrompt(kind, question, bundle.text.encodeChunk), `${task} ${hasReference}`).toEqual(segments);
    }
  });

  it.each([
    ['says legacy: false (Vicuna)', { legacy: false }, false],
    ['says legacy: true', { legacy: true }, true],
    ['sets no flag (transformers reads it as true)', {}, true],
  ] as const)('follows a checkpoint whose tokenizer_config.json %s: every chunk, question, answer and decode', async (_name, flag, legacy) => {
    const source = join(bundle.root, `flag-${String(legacy)}-${Object.keys(flag).length}`);
    const out = join(source, 'bundle');
    await mkdir(out, { recursive: true });
    const config = JSON.parse(await readFile(join(bundle.vicunaDir, 'tokenizer_config.json'), 'utf8'));
    delete config.legacy;
    await writeFile(join(source, 'tokenizer_config.json'), JSON.stringify({ ...config, ...flag }));
    await writeFile(join(source, 'tokenizer.model'), await readFile(join(bundle.vicunaDir, 'tokenizer.model')));
    expect((await convertTokenizer(source, out)).legacy).toBe(legacy);
    const text = await loadFolderTokenizer(out);
    expect(text.legacy).toBe(legacy);
    const upstream = upstreamTokenizer(legacy);
    for (const kind of PROMPT_KINDS) for (const chunk of upstream.kinds[kind]) expect(text.encodeChunk(chunk.text)).toEqual(chunk.ids);
    for (const question of upstream.questions) {
      for (const kind of PROMPT_KINDS) {
        if ((kind.startsWith('compare') ? question.compare : question.single) === undefined) continue;
        expect(assemblePrompt(kind, question.text, text.encodeChunk), `${kind} ${JSON.stringify(question.text)}`).toEqual(upstreamPrompt(upstream, kind, question));
      }
    }
    for (const answer of upstream.answers) {
      expect(text.encodeChunk(answer.text)).toEqual(answer.ids);
      expect(text.decode(answer.ids)).toBe(answer.decoded);
    }
    for (const { ids, decoded } of upstream.decodes) expect(text.decode(ids), JSON.stringify(ids)).toBe(decoded);
  });

  it('refuses a tokenizer.json whose normaliser is not the LLaMA form, naming the file', async () => {
    const dir = join(bundle.root, 'other-normaliser');
    await mkdir(dir);
    const json = JSON.parse(await readFile(join(bundle.bundleDir, 'tokenizer.json'), 'utf8'));
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify({ ...json, normalizer: { type: 'NFKC' } }));
    await writeFile(join(dir, 'tokenizer_config.json'), await readFile(join(bundle.bundleDir, 'tokenizer_config.json')));
    await expect(loadFolderTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER_INVALID', message: expect.stringMatching(/tokenizer\.json does not have the LLaMA normaliser/) });
  });
});
