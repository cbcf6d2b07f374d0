import { cleanAnswer } from './answer.ts';

/**
 * Reads which image an answer prefers. The brief answer is exactly "Image A" / "Image B"; a reasoning
 * paragraph (GPT-4V style in the training data) ends in a verdict such as "Therefore, Image A is better
 * than Image B." or "Thus, the quality of Image B is superior." The rules below are deliberately
 * conservative: the last sentence that states a verdict decides, and an unclear one gives null.
 */
export type Verdict = 'A' | 'B';

export function parseComparison(text: string): Verdict | null {
  const answer = cleanAnswer(text);
  const brief = /^(?:[Ii]mage\s+([ABab])|([AB]))\s*[.!]?$/.exec(answer);
  if (brief) return (brief[1] ?? brief[2]!).toUpperCase() as Verdict;
  for (const sentence of splitSentences(answer).reverse()) {
    const result = sentenceVerdict(sentence);
    if (result === 'none') continue;
    return result === 'unclear' ? null : result;
  }
  return null;
}

export interface ComparisonConfidence {
  /** Softmax probability of `▁A` (id 319) at the position after `▁Image`. */
  pA: number;
  /** Softmax probability of `▁B` (id 350) there. */
  pB: number;
  /** pA / (pA + pB): the model's preference for A once everything but A and B is set aside. */
  confidenceA: number;
  /** The letter with the larger probability (A on an exact tie, as greedy decoding picks the lower id). */
  verdict: Verdict;
}

export function comparisonConfidence(pA: number, pB: number): ComparisonConfidence {
  const total = pA + pB;
  const confidenceA = total > 0 ? pA / total : 0.5;
  return { pA, pB, confidenceA, verdict: pA >= pB ? 'A' : 'B' };
}

/** LLaMA ids of `▁Image`, `▁A` and `▁B` (model contract, "Known ids"). */
export const IMAGE_TOKEN_ID = 7084;
export const LETTER_TOKEN_IDS: Readonly<Record<Verdict, number>> = { A: 319, B: 350 };

/** The first `▁Image ▁A` or `▁Image ▁B` pair in generated tokens; `position` is that of `▁Image`. */
export interface ImageMention {
  verdict: Verdict;
  position: number;
}

/** Where DepictQA reads a brief comparison's letter: the first `▁Image` directly followed by `▁A` or `▁B`. */
export function firstImageMention(ids: readonly number[]): ImageMention | null {
  for (let i = 0; i + 1 < ids.length; i++) {
    if (ids[i] !== IMAGE_TOKEN_ID) continue;
    if (ids[i + 1] === LETTER_TOKEN_IDS.A) return { verdict: 'A', position: i };
    if (ids[i + 1] === LETTER_TOKEN_IDS.B) return { verdict: 'B', position: i };
  }
  return null;
}

/**
 * A Reasoning answer read two ways: `verdict`, the image the paragraph prefers (its concluding judgement, see
 * `parseComparison`), and `firstMention`, the first image it names, which is where a letter-probability rule
 * looks. In a paragraph the two often differ ("Image A shows noise … Therefore Image B is better").
 */
export interface ReasoningVerdict {
  verdict: Verdict | null;
  firstMention: ImageMention | null;
}

export function parseReasoning(text: string, ids: readonly number[]): ReasoningVerdict {
  return { verdict: parseComparison(text), firstMention: firstImageMention(ids) };
}

type SentenceResult = Verdict | 'none' | 'unclear';

interface Vote {
  verdict: Verdict;
  position: number;
  concessive: boolean;
  overall: boolean;
}

// Comparative judgements, found in the lower-cased sentence. Negative ones are matched first so that
// "less preferable" is not also read as "preferable".
const QUALITY = String.raw`(?:[- ](?:overall|visual|image|perceptual|perceived|general))?[- ]quality`;
const NEGATIVE = new RegExp(
  String.raw`\b(?:worse|worst|inferior|poorer|lower${QUALITY}|less (?:visually )?(?:appealing|pleasing|compelling|favou?rable|attractive|preferable|desirable)|falls? short|lags? behind|not as good as|(?:outperform|surpass|outshin|outshone|outclass|beat|beaten)\w*\s+by)\b`,
  'g',
);
const POSITIVE = new RegExp(
  String.raw`\b(?:better|best|superior|preferable|preferred|higher${QUALITY}|more (?:visually )?(?:appealing|pleasing|compelling|favou?rable|attractive|desirable)|(?:outperform|surpass|outshin|outclass)(?:s|es|ed|e)?|outshone|excels?|stands? out|wins?|the winner|has the edge|prevails?)\b`,
  'g',
);
// Verbs whose object, not subject, is the preferred image: "I would choose Image A".
const CHOOSE = /\b(?:prefer|choose|select|pick|favou?r|recommend|opt for|go with|go for)\b/g;
const NEGATION = /\b(?:not|never|hardly|no longer|cannot|can't|isn't|aren't|wasn't|doesn't|don't)\s+(?:\w+\s+){0,2}$/;
// A mention that is the compared-against image: "better than Image B", "compared to Image A's".
const OBJECT_BEFORE = new RegExp(
  String.raw`\b(?:than|over|versus|vs|against|unlike|(?:compared|comparison|contrast|relative|superior|inferior|preferable|similar|equal|equivalent|identical|next)\s+(?:to|with)|(?:outperform|surpass|outshin|outshone|outclass|beat|beaten)\w*\s+by)\s+(?:(?:that|those|the one|the (?:\w+ )?quality)\s+(?:of|in)\s+)?$`,
);
// "the better choice is Image A", "the superior quality of Image B": the image after the phrase is meant.
const NOUN_PHRASE_BEFORE = /\bthe\s+(?:[\w-]+\s+){0,2}$/;
const NOUN_PHRASE_AFTER = /^(?:\s+[\w-]+){0,3}?\s+(?:is|would be|remains|of|in|from)(?:\s+(?:clearly|definitely|undoubtedly|certainly|obviously))?\s+$/;
const CONCESSIVE = /\b(?:although|though|even if|while|whereas|despite|in spite of|albeit)\b[^,;:]*/g;
const MARKER = /\b(?:but|however|yet|nevertheless|nonetheless|in conclusion|therefore|thus|hence|ultimately|consequently|in summary|all in all|as a result)\b/g;
const OVERALL = /\b(?:overall|in general|generally|all things considered)\b/;
const CLAUSE_BREAK = /[,;:]|\b(?:but|whereas|while|although|though|yet|and)\b/g;
const TIE = /\b(?:similar|comparable|equal|equally|equivalent|the same|identical|on par|indistinguishable)\b/;

function splitSentences(text: string): string[] {
  const protectedText = text.replace(/\b(vs|e\.g|i\.e|etc)\./gi, (match) => match.replace(/\./g, ''));
  return protectedText
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function sentenceVerdict(sentence: string): SentenceResult {
  // ASCII-only lower-casing keeps every index of `lower` valid in `sentence`.
  const lower = sentence.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  if (/\bneither\b/.test(lower) && (new RegExp(POSITIVE.source).test(lower) || TIE.test(lower))) return 'unclear';

  const mentions = [...sentence.matchAll(/\b[Ii]mage\s+([AB])\b/g)].map((m) => ({
    verdict: m[1] as Verdict,
    start: m.index,
    end: m.index + m[0].length,
    object: OBJECT_BEFORE.test(lower.slice(0, m.index)),
  }));
  if (mentions.length === 0) return 'none';

  const concessive = spans(lower, CONCESSIVE);
  const markers = [...lower.matchAll(MARKER)].map((m) => m.index);
  const votes: Vote[] = [];
  const taken: Array<[number, number]> = [];
  const addVote = (verdict: Verdict | null, start: number): void => {
    if (verdict === null) return;
    const inside = concessive.some(([s, e]) => start >= s && start < e);
    votes.push({ verdict, position: start, concessive: inside, overall: OVERALL.test(clauseAround(lower, start)) });
  };

  for (const m of lower.matchAll(NEGATIVE)) {
    taken.push([m.index, m.index + m[0].length]);
    // A negated negative ("not worse") counts as positive.
    const negated = !m[0].startsWith('not ') && NEGATION.test(lower.slice(0, m.index));
    addVote(judge(mentions, lower, m.index, m.index + m[0].length, negated), m.index);
  }
  for (const m of lower.matchAll(POSITIVE)) {
    if (taken.some(([s, e]) => m.index < e && m.index + m[0].length > s)) continue;
    const negated = NEGATION.test(lower.slice(0, m.index));
    addVote(judge(mentions, lower, m.index, m.index + m[0].length, !negated), m.index);
  }
  for (const m of lower.matchAll(CHOOSE)) {
    const target = mentions.find((mention) => mention.start > m.index && !mention.object);
    const negated = NEGATION.test(lower.slice(0, m.index));
    if (target) addVote(negated ? other(target.verdict) : target.verdict, m.index);
  }

  if (votes.length === 0) return TIE.test(lower) && /\b(?:quality|both|two images)\b/.test(lower) ? 'unclear' : 'none';
  return resolve(votes, markers);
}

/** Which image a judgement at [start, end) favours: positive → its subject, negative → the other one. */
function judge(
  mentions: Array<{ verdict: Verdict; start: number; end: number; object: boolean }>,
  lower: string,
  start: number,
  end: number,
  positive: boolean,
): Verdict | null {
  const favour = (v: Verdict): Verdict => (positive ? v : other(v));
  const next = mentions.find((m) => m.start >= end);
  if (next && !next.object && NOUN_PHRASE_BEFORE.test(lower.slice(0, start)) && NOUN_PHRASE_AFTER.test(lower.slice(end, next.start))) {
    return favour(next.verdict);
  }
  const subjects = mentions.filter((m) => !m.object);
  const before = subjects.filter((m) => m.end <= start);
  const subject = before[before.length - 1] ?? subjects.find((m) => m.start >= end);
  if (subject) return favour(subject.verdict);
  // Only the compared-against image is named ("It is better than Image B"): the subject is the other one.
  const objects = new Set(mentions.map((m) => m.verdict));
  if (objects.size === 1) return favour(other([...objects][0]!));
  return null;
}

/** Concessive votes lose to the others, "overall" votes win, and after a contrast or conclusion marker
 *  only the later votes count. What remains must agree. */
function resolve(votes: Vote[], markers: number[]): SentenceResult {
  let kept = votes.some((v) => !v.concessive) ? votes.filter((v) => !v.concessive) : votes;
  if (kept.some((v) => v.overall)) kept = kept.filter((v) => v.overall);
  for (const marker of markers.slice().reverse()) {
    const after = kept.filter((v) => v.position > marker);
    if (after.length > 0) {
      kept = after;
      break;
    }
  }
  const verdicts = new Set(kept.map((v) => v.verdict));
  return verdicts.size === 1 ? [...verdicts][0]! : 'unclear';
}

function other(verdict: Verdict): Verdict {
  return verdict === 'A' ? 'B' : 'A';
}

function spans(text: string, pattern: RegExp): Array<[number, number]> {
  return [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

function clauseAround(text: string, position: number): string {
  let start = 0;
  let end = text.length;
  for (const m of text.matchAll(CLAUSE_BREAK)) {
    if (m.index + m[0].length <= position) start = m.index + m[0].length;
    else if (m.index > position) {
      end = m.index;
      break;
    }
  }
  return text.slice(start, end);
}
