import type { LocalizeRecord } from '../engine/localize.ts';
import { mapMarkdown, mapSummary } from '../localize/tileView.ts';
import { beginRecord, type HistoryImage, type HistoryModel, type HistoryRecord } from './record.ts';

export interface LocalizeRunStart {
  id: string;
  /** The reference, A and B as their slots held them. */
  images: HistoryImage[];
  model: HistoryModel | null;
  startedAt: number;
}

/**
 * A local quality map as a history record: the engine's record kept whole (the viewer draws it again from it), and
 * as its "answer" the map in words, so that the list, Copy and the Markdown export read it like any run.
 */
export function localizeHistoryRecord(start: LocalizeRunStart, map: LocalizeRecord, now: number): HistoryRecord {
  const begun = beginRecord({ ...start, task: 'localize', settings: { maxNewTokens: 0, sampling: null, loopGuard: false } });
  return { ...begun, status: map.cancelled ? 'stopped' : 'done', answer: mapSummary(map), localize: map, updatedAt: now };
}

/** The record's map for the Markdown export. */
export function localizeMarkdown(record: HistoryRecord): string[] {
  return record.localize === undefined || record.localize === null ? [] : ['', ...mapMarkdown(record.localize)];
}
