import type { LocalFile } from '../../core/bundle/localFolder.ts';

/** The folder's name, from the first file's relative path. */
export function folderLabel(files: ReadonlyArray<File | LocalFile>): string {
  const entry = files[0];
  const first = entry === undefined ? '' : entry instanceof File ? entry.webkitRelativePath : entry.path;
  return first.includes('/') ? first.slice(0, first.indexOf('/')) : 'the chosen folder';
}
