import type { ReactNode } from 'react';

/** A table that scrolls sideways on a narrow screen instead of widening the page. */
export function ScrollTable({ className, testId, children }: { className: string; testId?: string; children: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className={className} data-testid={testId}>
        {children}
      </table>
    </div>
  );
}
