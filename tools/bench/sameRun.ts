/** What the benchmarks that measure a baseline in the same run share: the order of the runs and their medians. */
import { median } from '../../cli/host/dispatches/decodeStepFeeds.ts';

/**
 * The kinds of run in the order they run: `rounds` of each, the baseline and the current one alternating
 * (baseline, current, current, baseline, …) so that a drift of the machine hits both alike; without a baseline,
 * `rounds` of the current one.
 */
export function sameRunOrder<T>(rounds: number, current: T, baseline?: T): T[] {
  const order: T[] = [];
  for (let round = 0; round < rounds; round++) {
    if (baseline === undefined) order.push(current);
    else order.push(...(round % 2 === 0 ? [baseline, current] : [current, baseline]));
  }
  return order;
}

/** The median of the values present; null when there are none. */
export function medianOfPresent(values: ReadonlyArray<number | null | undefined>): number | null {
  const present = values.filter((value): value is number => typeof value === 'number');
  return present.length === 0 ? null : median(present);
}
