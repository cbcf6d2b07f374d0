/**
 * A small WordPiece vocabulary and the tokenizer files of a BERT sentence model (all-MiniLM-L6-v2's layout:
 * lower-casing BertNormalizer, BertPreTokenizer, WordPiece with "##" continuations, [CLS] … [SEP]).
 * Every lower-case ASCII word can be spelt from the single letters and "##" letters, so only characters outside
 * the vocabulary (e.g. "€") become [UNK]; common words of image-quality answers are whole pieces.
 */

export const EMBEDDER_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

const WORDS = (
  'the an of and is are in on with to it its this that by as be but not than image images quality reference ' +
  'noise noisy blur blurry blurred sharp sharpness clear detail details color colors colour contrast bright ' +
  'brightness dark compression jpeg artifacts pixel pixelate saturation texture edges distortion distortions ' +
  'better worse good poor high low slight slightly severe heavy overall visual therefore however both scene'
).split(' ');
const SUFFIXES = ['##es', '##ed', '##ing', '##ly', '##er', '##est', '##ness', '##tion', '##ity'];
const PUNCTUATION = [...'.,;:!?\'"-()[]/'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

/** The vocabulary in id order. */
export function embedderVocabulary(): string[] {
  const pieces = [...EMBEDDER_SPECIAL_TOKENS, ...PUNCTUATION, ...LETTERS, ...LETTERS.map((c) => `##${c}`), ...WORDS, ...SUFFIXES];
  if (new Set(pieces).size !== pieces.length) throw new Error('embedder vocabulary has a duplicate piece');
  return pieces;
}

/** tokenizer.json as the `tokenizers` library writes it for a BERT uncased WordPiece tokenizer. */
export function embedderTokenizerJson(maxLength: number): unknown {
  const vocabulary = embedderVocabulary();
  const vocab = Object.fromEntries(vocabulary.map((piece, id) => [piece, id]));
  const id = (piece: string) => vocab[piece] as number;
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: maxLength, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: EMBEDDER_SPECIAL_TOKENS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

export function embedderTokenizerConfigJson(maxLength: number): unknown {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
    model_max_length: maxLength,
    clean_up_tokenization_spaces: true,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
}
