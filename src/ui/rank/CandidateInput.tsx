import { FolderOpen, ImagePlus, Images } from 'lucide-react';
import { useRef, useState, type DragEvent } from 'react';
import { MAX_IMAGES } from '../../core/ranking/index.ts';
import { useErrorStore } from '../../state/useErrorStore.ts';
import { droppedEntries, filesOfEntries } from '../model/droppedFolder.ts';
import { addCandidateFiles } from './rankActions.ts';
import { SECONDARY_CLASS } from './styles.ts';
import { FileInput } from '../layout/FileInput.tsx';

/** Where candidates come in: dropped files or folders, a folder chooser, or the file chooser (many at once). */
export function CandidateInput({ count, disabled }: { count: number; disabled: boolean }) {
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  const add = (files: File[]) => addCandidateFiles(files).catch((error: unknown) => useErrorStore.getState().report(error));

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setDragging(false);
    if (disabled) return;
    // The entries are taken while the event is handled: a DataTransfer is emptied once the handler returns.
    const entries = droppedEntries(event.dataTransfer.items);
    if (entries === null) void add([...event.dataTransfer.files]);
    else void filesOfEntries(entries).then((files) => add(files.map((entry) => entry.file)), (error: unknown) => useErrorStore.getState().report(error));
  };

  return (
    <div
      data-testid="rank-drop"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`flex flex-col items-center gap-3 rounded-xl border-2 border-dashed p-4 text-center ${dragging ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40' : 'border-slate-300 dark:border-slate-700'}`}
    >
      <Images aria-hidden="true" className="size-6 text-slate-400" />
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Drop candidate images or a folder here ({count} of {MAX_IMAGES}).
      </p>
      <div className="flex flex-wrap justify-center gap-2">
        <button type="button" disabled={disabled} onClick={() => filesRef.current?.click()} className={SECONDARY_CLASS}>
          <ImagePlus aria-hidden="true" className="size-4" />
          Choose images
        </button>
        <button type="button" disabled={disabled} onClick={() => folderRef.current?.click()} className={SECONDARY_CLASS}>
          <FolderOpen aria-hidden="true" className="size-4" />
          Choose a folder
        </button>
      </div>
      <FileInput inputRef={filesRef} testId="rank-files-input" multiple accept="image/*" onFiles={(files) => void add(files)} />
      <FileInput inputRef={folderRef} testId="rank-folder-input" folder onFiles={(files) => void add(files)} />
    </div>
  );
}
