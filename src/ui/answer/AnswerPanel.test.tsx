import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { useRunStore } from '../../state/useRunStore.ts';
import { AnswerView } from './AnswerPanel.tsx';

const stats = {
  timeToFirstTokenMs: 120,
  prefillTokens: 60,
  reusedPositions: 0,
  prefillMs: 100,
  prefillTokensPerSecond: 600,
  decodeMs: 50,
  decodeTokensPerSecond: 20,
  tokensGenerated: 2,
  visionMs: {},
  visionMsPerImage: 10,
  totalMs: 170,
};

function render(): string {
  const { status, text, prefill, question, asked, summary, error } = useRunStore.getState();
  return renderToStaticMarkup(<AnswerView status={status} text={text} prefill={prefill} question={question} asked={asked} summary={summary} error={error} />);
}

describe('AnswerView', () => {
  const initial = useRunStore.getState();
  afterEach(() => useRunStore.setState(initial, true));

  it('shows markup written by the model as text: no element, no handler reaches the DOM', () => {
    const answer = 'Image A <img src=x onerror="alert(1)"> is <b>sharp</b> & clean';
    useRunStore.setState({ status: 'done', text: answer, question: 'Is <i>this</i> sharp?', asked: { hasReference: true, questionIndex: 2, seed: null } });
    useRunStore.getState().finish(answer, { verdict: 'A', distortion: null, confidence: null, confidenceReport: null, comparison: null, stats, stopReason: 'eos' });
    const html = render();
    expect(html).not.toMatch(/<img|<b>|<i>/);
    expect(html).toContain('Image A &lt;img src=x onerror=&quot;alert(1)&quot;&gt; is &lt;b&gt;sharp&lt;/b&gt; &amp; clean');
    expect(html).toContain('Is &lt;i&gt;this&lt;/i&gt; sharp?');
    expect(html).toContain('Full-reference (with the Reference) · question 3 of the set · greedy');
    // A finished answer can be copied.
    expect(html).toContain('data-testid="answer-copy"');
  });

  it('keeps the caret inline beside the streamed text while the answer runs', () => {
    useRunStore.setState({ status: 'running', text: 'Partial', question: 'Q?', asked: { hasReference: false, questionIndex: null, seed: 7 } });
    const html = render();
    expect(html).toMatch(/<span data-testid="answer-text">Partial<\/span><span aria-hidden="true" data-testid="answer-caret"/);
    expect(html).toContain('No-reference · your own question · sampled with seed 7');
  });

  it('says how much of the prompt has run before the first words, and no more once they stream', () => {
    useRunStore.setState({ status: 'running', text: '', question: 'Q?', asked: null });
    useRunStore.getState().setPrefill(512, 1_312);
    expect(render()).toContain('Reading the prompt: 512 of 1,312 positions');
    useRunStore.getState().appendText('Image');
    expect(render()).not.toContain('Reading the prompt');
  });
});

describe('confidence chip', () => {
  const initial = useRunStore.getState();
  afterEach(() => useRunStore.setState(initial, true));

  it('shows the value, its explanation as hover text and in the detail, and a Reasoning verdict', () => {
    useRunStore.setState({ status: 'done', question: 'Why?', asked: null });
    const comparison = { verdict: 'B' as const, source: 'probe' as const, position: null, letter: 'B' as const, pA: 0.2, pB: 0.6, normalizedRatioA: 0.25, letterProbability: 0.6 };
    useRunStore.getState().finish('Image B is sharper.', {
      verdict: 'B',
      distortion: null,
      confidence: null,
      confidenceReport: {
        kind: 'single-brief',
        value: 0.8234,
        source: 're-ask',
        tokens: [],
        reask: { question: 'Why? Answer the question using a single word or phrase.', rawText: '<b>B</b>\n ', ids: [350], probabilities: [0.8] },
      },
      comparison,
      stats,
      stopReason: 'eos',
    });
    const html = render();
    expect(html).toContain('data-testid="answer-verdict"');
    expect(html).toContain('Image B is better');
    expect(html).toContain('<span data-testid="answer-confidence-label">confidence 0.82</span>');
    expect(html).toContain('title="Mean probability of the answer&#x27;s tokens; from the answer to the question asked again with');
    expect(html).toContain('Asked again: <q>Why? Answer the question using a single word or phrase.</q> — answered <q>&lt;b&gt;B&lt;/b&gt;</q>');
    expect(html).toContain('normalised p(A)/(p(A)+p(B)) = 0.25');
  });

  it('says a detailed answer needs the sentence model', () => {
    useRunStore.setState({ status: 'done', question: 'Describe.', asked: null });
    useRunStore.getState().finish('A long answer.', {
      verdict: null,
      distortion: null,
      confidence: null,
      confidenceReport: { kind: 'detail', value: null, source: 'answer', reason: 'needs the sentence model', tokens: [] },
      comparison: null,
      stats,
      stopReason: 'max_tokens',
    });
    const html = render();
    expect(html).toContain('confidence needs the sentence model');
    expect(html).toContain('data-kind="detail"');
  });
});
