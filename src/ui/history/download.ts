/** Saves text as a file through a temporary link (no server: the Blob never leaves the tab). */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the Blob by the next task; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A time for file names: "2026-11-26T12-40-03Z" (no colons, which some file systems refuse). */
export function fileStamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}
