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
  const { status, text, question, asked, summary, error } = useRunStore.getState();
  return renderToStaticMarkup(<AnswerView status={status} text={text} question={question} asked={asked} summary={summary} error={error} />);
}

describe('AnswerView', () => {
  const initial = useRunStore.getState();
  afterEach(() => useRunStore.setState(initial, true));

  it('shows markup written by the model as text: no element, no handler reaches the DOM', () => {
    const answer = 'Image A <img src=x onerror="alert(1)"> is <b>sharp</b> & clean';
    useRunStore.setState({ status: 'done', text: answer, question: 'Is <i>this</i> sharp?', asked: { hasReference: true, questionIndex: 2, seed: null } });
    useRunStore.getState().finish(answer, { verdict: 'A', distortion: null, confidence: null, stats, stopReason: 'eos' });
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
});
