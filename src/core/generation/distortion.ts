import { AppError } from '../errors.ts';
import prompts from '../prompt/prompts.json';

/**
 * Reads the distortion that a "distortion identification" answer names. Trained short answers are the
 * name with a capital first letter ("Noise", "Color quantization"), "None", or two names joined with
 * " and "; brief sentences read "The primary degradation in the evaluated image is noise." and, for a
 * clean image, "The quality of the evaluated image is quite good without any distortion."
 */

/** One of `prompts.json → distortion_names_v2`, in its lower-case form ("color quantization"). */
export type DistortionName = string;

export const DISTORTION_NAMES: readonly DistortionName[] = loadNames(prompts);

// Other wordings of each name, accepted only where they cannot mean another name: "saturation",
// "contrast" and "brightness" alone are ambiguous (too much or too little?) and are refused.
const SYNONYMS: Record<DistortionName, readonly string[]> = {
  noise: ['noisy', 'noises', 'noisiness', 'gaussian noise', 'grain', 'grainy', 'graininess'],
  blur: ['blurry', 'blurred', 'blurring', 'blurriness', 'motion blur', 'defocus', 'defocused', 'out of focus'],
  compression: ['jpeg', 'jpeg compression', 'compression artifacts', 'compression artefacts', 'compressed', 'blocking', 'blockiness', 'block artifacts'],
  oversharpening: ['over sharpening', 'oversharpened', 'over sharpened', 'excessive sharpening'],
  pixelation: ['pixelated', 'pixelization', 'pixelisation', 'pixelized', 'pixelised', 'pixelate'],
  'color quantization': ['colour quantization', 'color quantisation', 'colour quantisation', 'quantization', 'quantisation', 'color banding', 'colour banding', 'banding', 'posterization', 'posterisation'],
  'insufficient saturation': ['low saturation', 'undersaturation', 'under saturation', 'undersaturated', 'under saturated', 'desaturation', 'desaturated'],
  'overly high saturation': ['high saturation', 'oversaturation', 'over saturation', 'oversaturated', 'over saturated', 'excessive saturation'],
  'insufficient contrast': ['low contrast', 'lack of contrast', 'reduced contrast'],
  'overly high contrast': ['high contrast', 'excessive contrast'],
  'insufficient brightness': ['low brightness', 'underexposure', 'under exposure', 'underexposed', 'under exposed', 'too dark', 'darkening'],
  'overly high brightness': ['high brightness', 'overexposure', 'over exposure', 'overexposed', 'over exposed', 'too bright', 'brightening', 'excessive brightness'],
};

const PHRASES: ReadonlyMap<string, DistortionName> = buildPhrases();
// Longest first, so that "overly high saturation" wins over "high saturation".
const NAME_PATTERN = new RegExp(
  String.raw`\b(${[...PHRASES.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})\b`,
  'g',
);
const AMBIGUOUS = /\b(?:saturation|saturated|contrast|brightness|exposure|sharpening|sharpened)\b/;
const NEGATED_BEFORE = /\b(?:no|without(?: any)?|free (?:of|from))\s+$/;
const NONE = /\b(?:none|undistorted|distortion free|no (?:\w+ )?(?:distortions?|degradations?|quality issues?)|without (?:any )?(?:\w+ )?(?:distortions?|degradations?))\b/;

/** The first distortion the answer names, 'None' for a clean image, or null when it cannot be read. */
export function parseDistortion(text: string): DistortionName | 'None' | null {
  const names = parseDistortions(text);
  return names === null || names === 'None' ? names : names[0]!;
}

/** Every distortion the answer names, in order, without repeats; 'None'; or null when unreadable. */
export function parseDistortions(text: string): DistortionName[] | 'None' | null {
  const normal = text
    .toLowerCase()
    .replace(/<\/s>/g, ' ')
    .replace(/[-_]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const names: DistortionName[] = [];
  let rest = '';
  let last = 0;
  for (const match of normal.matchAll(NAME_PATTERN)) {
    rest += normal.slice(last, match.index) + ' ';
    last = match.index + match[0].length;
    if (NEGATED_BEFORE.test(normal.slice(0, match.index))) continue;
    const name = PHRASES.get(match[1]!)!;
    if (!names.includes(name)) names.push(name);
  }
  rest += normal.slice(last);
  // A leftover "saturation" or "contrast" that no phrase explained makes the answer ambiguous.
  if (AMBIGUOUS.test(rest)) return null;
  if (names.length > 0) return names;
  return NONE.test(normal) ? 'None' : null;
}

function buildPhrases(): Map<string, DistortionName> {
  const phrases = new Map<string, DistortionName>();
  for (const name of DISTORTION_NAMES) phrases.set(name, name);
  for (const [name, synonyms] of Object.entries(SYNONYMS)) {
    if (!DISTORTION_NAMES.includes(name)) throw invalidPrompts(`has no distortion named "${name}"`);
    for (const synonym of synonyms) phrases.set(synonym, name);
  }
  return phrases;
}

function loadNames(data: unknown): DistortionName[] {
  const names = (data as { distortion_names_v2?: unknown }).distortion_names_v2;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
    throw invalidPrompts('lacks the list distortion_names_v2');
  }
  return names.map((n: string) => n.toLowerCase());
}

function invalidPrompts(problem: string): AppError {
  return new AppError('INTERNAL', `src/core/prompt/prompts.json ${problem}.`, {
    hint: 'Restore prompts.json from the DepictQA model contract.',
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
