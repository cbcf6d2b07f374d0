import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { GenerateRequest, QuestionChoice } from '../../src/core/engine/generate.ts';
import type { SamplingOptions } from '../../src/core/generation/settings.ts';
import { TASKS, type ImageSlotId } from '../../src/core/tasks.ts';
import { badArguments, decimal, modelFlags, oneOf, parseFlags, required, sharedFlags, sharedUsage, usageLine, wholeNumber } from '../flags/flags.ts';
import type { NodeDevice } from './nodeDevice.ts';

export const ASK_USAGE = [
  'Usage: npm run ask -- --bundle DIR --task TASK [--ref R] --a A [--b B] [options]',
  '',
  sharedUsage('bundle'),
  usageLine('task', 'TASK', 'description | comparison | reasoning | distortion, or localize: where A is worse, tile by tile\n(its own flags: --task localize --help)'),
  sharedUsage('ref'),
  sharedUsage('a'),
  usageLine('question', 'TEXT', "your own question (default: one of the task's set, picked by the images' SHA-256 and\nthe task, so the same images get the same question and, greedy, the same answer)"),
  usageLine('question', 'random', "a random one of the set instead, drawn as DepictQA's training data was"),
  usageLine('question-index', 'N', "the task's built-in question N instead"),
  usageLine('max-new-tokens', 'N', 'answer length limit (default 400)'),
  usageLine('temperature', 'T', '0 = greedy (default); above 0 samples, with --top-p, --top-k, --seed'),
  usageLine('top-p', 'P, --top-k K, --seed S, --repetition-penalty R, --no-repeat-ngram N', ''),
  sharedUsage('device'),
  sharedUsage('variant'),
  sharedUsage('context'),
  usageLine('embedder', 'DIR', 'the sentence embedder (all-MiniLM-L6-v2, transformers.js layout) for the confidence\nof detailed answers; without it their confidence is null'),
  usageLine('no-confidence', '', "skip DepictQA's confidence (no second question, no embedding)"),
  usageLine('no-graph-capture', '', 'never capture and replay the decode step (no runtime captures it yet: the record says why)'),
  usageLine('count-dispatches', '', "on webgpu: count the GPU dispatches of one decode step for the record (--json), in a\nchild process with onnxruntime's verbose log (it opens the decoder once more)"),
  sharedUsage('json', 'print one JSON record instead of streaming the answer'),
].join('\n');

export interface AskArgs {
  bundle: string;
  images: Partial<Record<ImageSlotId, string>>;
  request: Omit<GenerateRequest, 'images'>;
  /** Where to run; omitted: webgpu when an adapter is found, else cpu. */
  device?: NodeDevice;
  variant?: BundleVariant;
  maxContext?: number;
  /** Folder of the sentence embedder for detailed answers' confidence. */
  embedder?: string;
  /** false with --no-graph-capture. */
  graphCapture: boolean;
  countDispatches: boolean;
  json: boolean;
}

export function parseAskArgs(argv: string[]): AskArgs {
  const values = parseFlags(
    argv,
    {
      ...sharedFlags('bundle', 'ref', 'a', 'b', 'device', 'variant', 'context', 'json', 'help'),
      task: { type: 'string' },
      question: { type: 'string' },
      'question-index': { type: 'string' },
      'max-new-tokens': { type: 'string' },
      temperature: { type: 'string' },
      'top-p': { type: 'string' },
      'top-k': { type: 'string' },
      seed: { type: 'string' },
      'repetition-penalty': { type: 'string' },
      'no-repeat-ngram': { type: 'string' },
      embedder: { type: 'string' },
      'no-confidence': { type: 'boolean', default: false },
      'no-graph-capture': { type: 'boolean', default: false },
      'count-dispatches': { type: 'boolean', default: false },
    },
    ASK_USAGE,
  );
  if (values.help) throw badArguments('asked for the usage', ASK_USAGE);
  const bundle = required(values.bundle, 'bundle', 'DIR', ASK_USAGE);
  const task = oneOf(required(values.task, 'task', 'TASK', ASK_USAGE), 'task', TASKS.map((info) => info.id), ASK_USAGE);
  if (values.question !== undefined && values['question-index'] !== undefined) {
    throw badArguments('Give --question or --question-index, not both.', ASK_USAGE);
  }
  const whole = (flag: string, min: number) => wholeNumber(values[flag as 'seed']!, flag, min, ASK_USAGE);
  const number = (flag: string) => decimal(values[flag as 'seed']!, flag, ASK_USAGE);
  let question: QuestionChoice | undefined;
  if (values.question !== undefined) question = values.question === 'random' ? { pick: 'random' } : { text: values.question };
  if (values['question-index'] !== undefined) question = { index: whole('question-index', 0) };

  const sampling: SamplingOptions = {};
  if (values.temperature !== undefined) sampling.temperature = number('temperature');
  if (values['top-p'] !== undefined) sampling.topP = number('top-p');
  if (values['top-k'] !== undefined) sampling.topK = whole('top-k', 0);
  if (values.seed !== undefined) sampling.seed = whole('seed', 0);
  if (values['repetition-penalty'] !== undefined) sampling.repetitionPenalty = number('repetition-penalty');
  if (values['no-repeat-ngram'] !== undefined) sampling.noRepeatNgramSize = whole('no-repeat-ngram', 0);

  const images: Partial<Record<ImageSlotId, string>> = {};
  if (values.ref !== undefined) images.reference = values.ref;
  if (values.a !== undefined) images.a = values.a;
  if (values.b !== undefined) images.b = values.b;
  return {
    bundle,
    images,
    request: {
      task,
      ...(question === undefined ? {} : { question }),
      ...(Object.keys(sampling).length === 0 ? {} : { sampling }),
      ...(values['max-new-tokens'] === undefined ? {} : { maxNewTokens: whole('max-new-tokens', 1) }),
      ...(values['no-confidence'] ? { confidence: false } : {}),
    },
    ...modelFlags(values, ASK_USAGE),
    ...(values.embedder === undefined ? {} : { embedder: values.embedder }),
    graphCapture: !values['no-graph-capture'],
    countDispatches: values['count-dispatches'],
    json: values.json,
  };
}
