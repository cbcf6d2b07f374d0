/** Class names shared by the viewer's controls, in the style of the rest of the page. */
export const TOOL_BUTTON =
  'inline-flex items-center gap-1.5 rounded-lg px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-40 dark:text-slate-200 dark:hover:bg-slate-800';

export const SEGMENT_GROUP = 'inline-flex rounded-lg border border-slate-200 p-0.5 dark:border-slate-700';

export function segmentButton(active: boolean): string {
  return `rounded-md px-2.5 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-40 ${
    active
      ? 'bg-sky-700 font-medium text-white dark:bg-sky-500 dark:text-slate-950'
      : 'text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800'
  }`;
}

export const SMALL_SELECT =
  'rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-600 dark:bg-slate-800';
