import { afterEach, describe, expect, it, vi } from 'vitest';
import { beginRecord, type HistoryRecord } from '../core/history/record.ts';
import { useHistoryStore } from './useHistoryStore.ts';

function run(id: string, startedAt: number, sha256s: string[]): HistoryRecord {
  const images = sha256s.map((sha256) => ({ slot: 'a' as const, sha256, name: 'a.png', format: 'PNG', bytes: 1, width: 1, height: 1, exifRotated: false }));
  return beginRecord({ id, task: 'description', images, settings: { maxNewTokens: 1, sampling: null, loopGuard: false }, model: null, startedAt });
}

afterEach(() => {
  useHistoryStore.setState({ status: 'loading', runs: [], thumbnails: {}, openedId: null });
  vi.restoreAllMocks();
});

describe('the history store', () => {
  it('keeps runs newest first, replacing a run saved again under its id', () => {
    const store = useHistoryStore.getState();
    store.setLoaded([run('b', 2, []), run('a', 1, [])], {});
    store.upsert(run('c', 3, []));
    store.upsert({ ...run('a', 1, []), answer: 'now longer' });
    const runs = useHistoryStore.getState().runs;
    expect(runs.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(runs[2]!.answer).toBe('now longer');
    expect(useHistoryStore.getState().status).toBe('ready');
  });

  it('revokes a thumbnail when the last run showing it goes, and forgets the opened run when it is deleted', () => {
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const store = useHistoryStore.getState();
    store.setLoaded([run('x', 2, ['shared']), run('y', 1, ['shared', 'own'])], { shared: 'blob:s', own: 'blob:o' });
    store.setOpened('y');
    store.remove('y');
    expect(revoke.mock.calls).toEqual([['blob:o']]);
    expect(useHistoryStore.getState().thumbnails).toEqual({ shared: 'blob:s' });
    expect(useHistoryStore.getState().openedId).toBeNull();
    store.clear();
    expect(revoke.mock.calls).toEqual([['blob:o'], ['blob:s']]);
    expect(useHistoryStore.getState()).toMatchObject({ runs: [], thumbnails: {} });
  });

  it('replaces a thumbnail URL, revoking the old one', () => {
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const store = useHistoryStore.getState();
    store.addThumbnail('s', 'blob:1');
    store.addThumbnail('s', 'blob:2');
    expect(revoke.mock.calls).toEqual([['blob:1']]);
    expect(useHistoryStore.getState().thumbnails).toEqual({ s: 'blob:2' });
  });
});
