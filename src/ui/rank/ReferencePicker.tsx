import { ImagePlus, X } from 'lucide-react';
import { useRef } from 'react';
import { useRankStore } from '../../state/useRankStore.ts';
import { clearReference, setReferenceFile } from './rankActions.ts';
import { SECONDARY_CLASS } from './styles.ts';
import { FileInput } from '../layout/FileInput.tsx';

/** The ranking's reference: optional (without one, DepictQA's no-reference comparison is asked). */
export function ReferencePicker({ disabled }: { disabled: boolean }) {
  const reference = useRankStore((state) => state.reference);
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <div
      className="flex items-center gap-3"
      data-testid="rank-reference"
      data-filled={reference !== null}
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        event.stopPropagation();
        const file = event.dataTransfer.files[0];
        if (file !== undefined && !disabled) void setReferenceFile(file);
      }}
    >
      <div className="size-16 shrink-0 overflow-hidden rounded-lg border border-dashed border-slate-300 bg-slate-50 dark:border-slate-700 dark:bg-slate-800">
        {reference !== null && <img src={reference.previewUrl} alt={`Reference: ${reference.name}`} className="size-full object-cover" />}
      </div>
      <div className="min-w-0 space-y-1">
        <p className="text-sm font-medium text-slate-800 dark:text-slate-100">Reference (optional)</p>
        <p className="truncate text-xs text-slate-500 dark:text-slate-400">{reference === null ? 'Without one, the images are ranked without a reference.' : reference.name}</p>
        <div className="flex gap-2">
          <button type="button" disabled={disabled} onClick={() => inputRef.current?.click()} className={SECONDARY_CLASS}>
            <ImagePlus aria-hidden="true" className="size-4" />
            {reference === null ? 'Choose reference' : 'Replace reference'}
          </button>
          {reference !== null && (
            <button type="button" disabled={disabled} onClick={clearReference} className={SECONDARY_CLASS} aria-label="Remove the reference">
              <X aria-hidden="true" className="size-4" />
            </button>
          )}
        </div>
      </div>
      <FileInput inputRef={inputRef} testId="rank-reference-input" accept="image/*" onFiles={([file]) => void setReferenceFile(file!)} />
    </div>
  );
}
