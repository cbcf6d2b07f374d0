import { ImagePlus, LoaderCircle, X } from 'lucide-react';
import { useRef, useState, type DragEvent } from 'react';
import { formatBytes } from '../../core/format.ts';
import { EXIF_NOTE, modelInputNotes } from '../../core/image/slotNotes.ts';
import { SLOT_LABELS, type ImageSlotId } from '../../core/tasks.ts';
import { modelViewLine } from '../../core/vision/modelView.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { selectImageRule, useModelStore } from '../../state/useModelStore.ts';
import { FileInput } from '../layout/FileInput.tsx';

interface Props {
  slot: ImageSlotId;
  role: string;
  onFiles: (slot: ImageSlotId, files: File[]) => void;
  /** Replace the slot's EXIF-rotated file by a PNG of it as displayed. */
  onUseAsDisplayed: (slot: ImageSlotId) => void;
}

/** One image slot: drop or pick a file, see what is in it, clear it. */
export function ImageSlot({ slot, role, onFiles, onUseAsDisplayed }: Props) {
  const image = useImageStore((state) => state.images[slot]);
  const error = useImageStore((state) => state.errors[slot]);
  const loading = useImageStore((state) => state.loading[slot]);
  const clear = useImageStore((state) => state.clear);
  const imageRule = useModelStore(selectImageRule);
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const label = SLOT_LABELS[slot] + (slot === 'reference' ? ' (optional)' : '');

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation(); // a drop on a slot replaces that slot; the page-level handler routes the rest
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0) onFiles(slot, files.slice(0, 1));
  };

  return (
    <div className="flex min-w-0 flex-col gap-1">
      <div
        data-testid={`slot-${slot}`}
        data-filled={image !== null}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`relative flex aspect-[3/4] flex-col items-center justify-center overflow-hidden rounded-xl border-2 bg-white text-center sm:aspect-[4/3] dark:bg-slate-900 ${
          dragging
            ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40'
            : image === null
              ? 'border-dashed border-slate-300 dark:border-slate-700'
              : 'border-slate-200 dark:border-slate-700'
        }`}
      >
        {image !== null && (
          <img
            src={image.previewUrl}
            alt={`${SLOT_LABELS[slot]}: ${image.name}`}
            className="absolute inset-0 size-full object-contain"
          />
        )}
        <button
          type="button"
          onClick={() => inputRef.current?.click()}
          aria-label={image === null ? `Choose ${label}` : `Replace ${SLOT_LABELS[slot]} (${image.name})`}
          className={`flex size-full flex-col items-center justify-center gap-2 p-2 focus-visible:outline-2 focus-visible:-outline-offset-4 focus-visible:outline-sky-500 sm:p-4 ${
            image === null ? '' : 'absolute inset-0 opacity-0 hover:bg-slate-900/40 hover:opacity-100 focus-visible:opacity-100'
          }`}
        >
          {loading ? (
            <LoaderCircle aria-hidden="true" className="size-6 animate-spin text-slate-400" />
          ) : (
            <ImagePlus aria-hidden="true" className={`size-6 ${image === null ? 'text-slate-400 dark:text-slate-500' : 'text-white'}`} />
          )}
          {image === null ? (
            <>
              <span className="font-medium text-slate-800 dark:text-slate-100">{label}</span>
              <span className="hidden text-xs text-slate-500 sm:block dark:text-slate-400">{role}</span>
              <span className="text-xs text-slate-500 dark:text-slate-400">Drop, paste or click to choose</span>
            </>
          ) : (
            <span className="text-sm font-medium text-white">Replace</span>
          )}
        </button>
        {image !== null && (
          <button
            type="button"
            onClick={() => clear(slot)}
            aria-label={`Clear ${SLOT_LABELS[slot]}`}
            className="absolute top-1.5 right-1.5 rounded-full bg-slate-900/70 p-1 text-white hover:bg-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500"
          >
            <X aria-hidden="true" className="size-3.5" />
          </button>
        )}
        <FileInput
          inputRef={inputRef}
          testId={`file-input-${slot}`}
          accept="image/*"
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          onFiles={(files) => onFiles(slot, files)}
        />
      </div>
      <p className="min-h-4 truncate text-xs text-slate-600 dark:text-slate-300" data-testid={`slot-caption-${slot}`}>
        {image === null ? '' : `${SLOT_LABELS[slot]} · ${image.width}×${image.height} · ${formatBytes(image.bytes)} · ${image.format}`}
      </p>
      {image !== null && (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid={`slot-model-view-${slot}`}>
          {modelViewLine(image, imageRule)}
        </p>
      )}
      {image !== null &&
        modelInputNotes(image).map((note) => (
          <p key={note} className="text-xs text-amber-800 dark:text-amber-300" data-testid={`slot-note-${slot}`}>
            {note}
            {note === EXIF_NOTE && (
              <>
                {' '}
                <button
                  type="button"
                  onClick={() => onUseAsDisplayed(slot)}
                  className="font-medium text-sky-700 underline underline-offset-2 hover:text-sky-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300 dark:hover:text-sky-100"
                >
                  Use as displayed
                </button>
              </>
            )}
          </p>
        ))}
      {error !== null && (
        <p role="alert" data-testid={`slot-error-${slot}`} data-code={error.code} className="text-xs text-rose-700 dark:text-rose-300">
          {error.message} {error.hint}
        </p>
      )}
    </div>
  );
}
