import { afterEach, describe, expect, it, vi } from 'vitest';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { pageBusy, whenIdle } from './whenIdle.ts';

afterEach(() => {
  useRunStore.setState({ status: 'idle' });
  useModelStore.setState({ status: 'empty' });
});

describe('whenIdle', () => {
  it('acts at once on an idle page', () => {
    const action = vi.fn();
    whenIdle(action);
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('waits for the answer being written and for a model load, then acts once', () => {
    useRunStore.setState({ status: 'encoding' });
    useModelStore.setState({ status: 'loading' });
    const action = vi.fn();
    whenIdle(action);
    useRunStore.setState({ status: 'running' });
    useRunStore.setState({ status: 'done' });
    expect(pageBusy()).toBe(true);
    expect(action).not.toHaveBeenCalled();
    useModelStore.setState({ status: 'ready' });
    expect(action).toHaveBeenCalledTimes(1);
    // Later runs do not act again.
    useRunStore.setState({ status: 'running' });
    useRunStore.setState({ status: 'stopped' });
    expect(action).toHaveBeenCalledTimes(1);
  });
});
