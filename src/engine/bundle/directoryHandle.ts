/** What the bundle cache (OPFS) and a picked folder (File System Access) share about reading directory handles. */

/** Directory iteration; typed here because TypeScript keeps it in the DOM.AsyncIterable library. */
export function entriesOf(dir: FileSystemDirectoryHandle): AsyncIterable<[string, FileSystemHandle]> {
  return (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
}

/**
 * The call's value, or null when the entry is absent: a NotFoundError, and the other error names in `absentAlso`
 * (e.g. TypeMismatchError: a folder where a file was expected, or the reverse). Other failures are rethrown.
 */
export async function unlessAbsent<T>(call: () => Promise<T>, absentAlso: readonly string[] = []): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: unknown }).name;
    if (name === 'NotFoundError' || absentAlso.includes(name as string)) return null;
    throw error;
  }
}
