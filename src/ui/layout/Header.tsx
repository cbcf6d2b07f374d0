import { ScanEye } from 'lucide-react';
import type { ReactNode } from 'react';

export function Header({ children }: { children: ReactNode }) {
  return (
    <header className="border-b border-slate-200 bg-white/80 backdrop-blur dark:border-slate-800 dark:bg-slate-900/80">
      <div className="mx-auto flex max-w-7xl items-center justify-between gap-2 px-4 py-3 sm:gap-4 sm:px-6">
        <div className="flex min-w-0 items-center gap-2 sm:gap-3">
          <ScanEye aria-hidden="true" className="size-6 shrink-0 text-sky-600 sm:size-7 dark:text-sky-400" />
          <div className="min-w-0">
            <h1 className="text-base leading-tight sm:text-lg font-semibold whitespace-nowrap text-slate-900 dark:text-white">DepictQA Web</h1>
            <p className="hidden truncate text-xs text-slate-500 sm:block dark:text-slate-400">
              Image quality in words, on your own GPU
            </p>
          </div>
        </div>
        {children}
      </div>
    </header>
  );
}
