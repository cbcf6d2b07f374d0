import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './importGraph.ts';

const text = readFileSync(join(REPO, 'ARCHITECTURE.md'), 'utf8');
/** Files the commands write, named as outputs rather than as code. */
const OUTPUTS = new Set(['summary.json', 'summary.md']);
const FILES = readdirSync(REPO, { recursive: true, encoding: 'utf8' }).filter((path) => !path.startsWith('node_modules') && !path.startsWith('.git') && !path.startsWith('dist'));

/** The backticked words of a paragraph that name a path: with a slash, or a file ending. */
function pathsIn(paragraph: string): string[] {
  const named: string[] = [];
  for (const [, inner] of paragraph.matchAll(/`([^`\s]+)`/g)) {
    const word = inner!.replace(/[,.;:]$/, '');
    if (word.startsWith('npm') || word.startsWith('--') || word.includes('<') || word.includes('(') || OUTPUTS.has(word)) continue;
    if (word.includes('/') || /\.(ts|tsx|md|json|py|js)$/.test(word)) named.push(word.replace(/\/$/, ''));
  }
  return named;
}

/**
 * Paths that do not exist: a path with a slash from the root or below a folder the same paragraph names; a bare
 * file name below a folder the paragraph names (its bold heading or a path in it).
 */
function missingPaths(): string[] {
  const missing: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const paths = pathsIn(paragraph);
    const bold = [...paragraph.matchAll(/\*\*`([^`]+)`\*\*/g)].map((match) => match[1]!);
    const folders = [...bold, ...paths.filter((path) => path.includes('/')).flatMap((path) => [path, path.split('/').slice(0, -1).join('/')])];
    for (const path of paths) {
      if (existsSync(join(REPO, path))) continue;
      const found = FILES.some((file) => (file === path || file.endsWith(`/${path}`)) && folders.some((folder) => file.startsWith(`${folder}/`)));
      if (!found) missing.push(path);
    }
  }
  return missing;
}

describe('ARCHITECTURE.md', () => {
  it('names only paths that exist', () => {
    expect(pathsIn(text).length).toBeGreaterThan(80);
    expect(missingPaths()).toEqual([]);
  });

  it('names every top-level folder of the code', () => {
    for (const folder of ['src/core', 'src/engine', 'src/client', 'src/state', 'src/storage', 'src/ui', 'workers', 'cli', 'converter', 'tools', 'e2e', 'deploy', 'public']) {
      expect(text).toContain(`**\`${folder}\`**`);
    }
  });

  it('stays short enough to read in one sitting', () => {
    expect(text.split('\n').length).toBeLessThanOrEqual(400);
  });

  it('is linked from the top of the README', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(readme.slice(0, 3000)).toContain('ARCHITECTURE.md');
  });
});
