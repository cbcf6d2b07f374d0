import { parseArgs } from 'node:util';
import { VARIANTS, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { GenerateRequest, QuestionChoice } from '../../src/core/engine/types.ts';
import { AppError } from '../../src/core/errors.ts';
import type { SamplingOptions } from '../../src/core/generation/settings.ts';
import { TASKS, type ImageSlotId, type TaskId } from '../../src/core/tasks.ts';
import { NODE_DEVICES, type NodeDevice } from './nodeDevice.ts';

export const ASK_USAGE = `Usage: npm run ask -- --bundle DIR --task TASK [--ref R] --a A [--b B] [options]

  --bundle DIR            a converted bundle folder (manifest.json, onnx/, tokenizer)
  --task TASK             description | comparison | reasoning | distortion
  --ref FILE              the reference image (optional: picks the full-reference prompt)
  --a FILE, --b FILE      the images to judge (B for comparison and reasoning)
  --question TEXT         your own question (default: one of the task's set, picked by the images' SHA-256 and
                          the task, so the same images get the same question and, greedy, the same answer)
  --question random       a random one of the set instead, drawn as DepictQA's training data was
  --question-index N      the task's built-in question N instead
  --max-new-tokens N      answer length limit (default 400)
  --temperature T         0 = greedy (default); above 0 samples, with --top-p, --top-k, --seed
  --top-p P, --top-k K, --seed S, --repetition-penalty R, --no-repeat-ngram N
  --device D              webgpu | cpu (default: webgpu when a GPU adapter is found, else cpu)
  --variant V             q4f16 | q4 | fp32 (default: q4f16 on a GPU with shader-f16, else q4, else fp32)
  --context N             KV cache positions (default: the model's maximum)
  --embedder DIR          the sentence embedder (all-MiniLM-L6-v2, transformers.js layout) for the confidence
                          of detailed answers; without it their confidence is null
  --no-confidence         skip DepictQA's confidence (no second question, no embedding)
  --no-graph-capture      never capture and replay the decode step (no runtime captures it yet: the record says why)
  --count-dispatches      on webgpu: count the GPU dispatches of one decode step for the record (--json), in a
                          child process with onnxruntime's verbose log (it opens the decoder once more)
  --json                  print one JSON record instead of streaming the answer`;

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
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        bundle: { type: 'string' },
        task: { type: 'string' },
        ref: { type: 'string' },
        a: { type: 'string' },
        b: { type: 'string' },
        question: { type: 'string' },
        'question-index': { type: 'string' },
        'max-new-tokens': { type: 'string' },
        temperature: { type: 'string' },
        'top-p': { type: 'string' },
        'top-k': { type: 'string' },
        seed: { type: 'string' },
        'repetition-penalty': { type: 'string' },
        'no-repeat-ngram': { type: 'string' },
        device: { type: 'string' },
        variant: { type: 'string' },
        context: { type: 'string' },
        embedder: { type: 'string' },
        'no-confidence': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'no-graph-capture': { type: 'boolean', default: false },
        'count-dispatches': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (cause) {
    throw new AppError('BAD_ARGUMENTS', `${(cause as Error).message}\n\n${ASK_USAGE}`, { cause });
  }
  if (values.help) throw new AppError('BAD_ARGUMENTS', ASK_USAGE);
  if (values.bundle === undefined) throw new AppError('BAD_ARGUMENTS', `--bundle is required.\n\n${ASK_USAGE}`);
  const task = values.task;
  if (task === undefined || !TASKS.some((info) => info.id === task)) {
    throw new AppError('BAD_ARGUMENTS', `--task must be one of ${TASKS.map((info) => info.id).join(', ')}${task === undefined ? '' : `, not "${task}"`}.`);
  }
  if (values.question !== undefined && values['question-index'] !== undefined) {
    throw new AppError('BAD_ARGUMENTS', 'Give --question or --question-index, not both.');
  }
  if (values.variant !== undefined && !VARIANTS.includes(values.variant as BundleVariant)) {
    throw new AppError('BAD_ARGUMENTS', `--variant must be one of ${VARIANTS.join(', ')}, not "${values.variant}".`);
  }
  if (values.device !== undefined && !NODE_DEVICES.includes(values.device as NodeDevice)) {
    throw new AppError('BAD_ARGUMENTS', `--device must be one of ${NODE_DEVICES.join(', ')}, not "${values.device}".`);
  }
  let question: QuestionChoice | undefined;
  if (values.question !== undefined) question = values.question === 'random' ? { pick: 'random' } : { text: values.question };
  if (values['question-index'] !== undefined) question = { index: count(values['question-index'], '--question-index', 0) };

  const sampling: SamplingOptions = {};
  if (values.temperature !== undefined) sampling.temperature = number(values.temperature, '--temperature');
  if (values['top-p'] !== undefined) sampling.topP = number(values['top-p'], '--top-p');
  if (values['top-k'] !== undefined) sampling.topK = count(values['top-k'], '--top-k', 0);
  if (values.seed !== undefined) sampling.seed = count(values.seed, '--seed', 0);
  if (values['repetition-penalty'] !== undefined) sampling.repetitionPenalty = number(values['repetition-penalty'], '--repetition-penalty');
  if (values['no-repeat-ngram'] !== undefined) sampling.noRepeatNgramSize = count(values['no-repeat-ngram'], '--no-repeat-ngram', 0);

  const images: Partial<Record<ImageSlotId, string>> = {};
  if (values.ref !== undefined) images.reference = values.ref;
  if (values.a !== undefined) images.a = values.a;
  if (values.b !== undefined) images.b = values.b;
  return {
    bundle: values.bundle,
    images,
    request: {
      task: task as TaskId,
      ...(question === undefined ? {} : { question }),
      ...(Object.keys(sampling).length === 0 ? {} : { sampling }),
      ...(values['max-new-tokens'] === undefined ? {} : { maxNewTokens: count(values['max-new-tokens'], '--max-new-tokens', 1) }),
      ...(values['no-confidence'] ? { confidence: false } : {}),
    },
    ...(values.device === undefined ? {} : { device: values.device as NodeDevice }),
    ...(values.variant === undefined ? {} : { variant: values.variant as BundleVariant }),
    ...(values.context === undefined ? {} : { maxContext: count(values.context, '--context', 2) }),
    ...(values.embedder === undefined ? {} : { embedder: values.embedder }),
    graphCapture: !values['no-graph-capture'],
    countDispatches: values['count-dispatches'],
    json: values.json,
  };
}

export function number(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new AppError('BAD_ARGUMENTS', `${flag} must be a number, not "${text}".`);
  return value;
}

export function count(text: string, flag: string, min: number): number {
  const value = number(text, flag);
  if (!Number.isInteger(value) || value < min) throw new AppError('BAD_ARGUMENTS', `${flag} must be an integer ≥ ${min}, not "${text}".`);
  return value;
}
