interface Props {
  gradient: string;
  left: string;
  right: string;
  caption: string;
  testId: string;
}

/** A colour scale bar with its two ends named. */
export function Legend({ gradient, left, right, caption, testId }: Props) {
  return (
    <figure className="flex min-w-40 flex-1 flex-col gap-0.5 sm:max-w-64" data-testid={testId}>
      <div className="h-2.5 rounded-sm border border-slate-300 dark:border-slate-600" style={{ backgroundImage: gradient }} aria-hidden="true" />
      <div className="flex justify-between text-xs text-slate-600 tabular-nums dark:text-slate-300">
        <span>{left}</span>
        <span>{right}</span>
      </div>
      <figcaption className="text-xs text-slate-500 dark:text-slate-400">{caption}</figcaption>
    </figure>
  );
}
