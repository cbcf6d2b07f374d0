import type { InputHTMLAttributes, Ref } from 'react';

export interface FileInputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'onChange' | 'ref'> {
  inputRef?: Ref<HTMLInputElement>;
  testId: string;
  /** The files chosen, never none. The input is cleared first, so choosing the same file again is seen. */
  onFiles: (files: File[]) => void;
  /** A folder picker: every file below the folder, each with its webkitRelativePath. */
  folder?: boolean;
}

/** A file input that a button, a label or a drop zone opens; hidden unless `className` says otherwise. */
export function FileInput({ inputRef, testId, onFiles, folder = false, className = 'hidden', ...rest }: FileInputProps) {
  return (
    <input
      ref={inputRef}
      type="file"
      className={className}
      data-testid={testId}
      // React has no typed prop for the folder picker; the attributes are what Chromium, Firefox and Safari read.
      {...(folder ? { webkitdirectory: '', directory: '' } : {})}
      {...rest}
      onChange={(event) => {
        const files = [...(event.target.files ?? [])];
        event.target.value = '';
        if (files.length > 0) onFiles(files);
      }}
    />
  );
}
