import { describe, expect, it } from 'vitest';
import { importCircles, importClosure, importGraph } from './importGraph.ts';

describe('the import graph', () => {
  const graph = importGraph();

  it('reads the sources it should', () => {
    expect(graph.size).toBeGreaterThan(500);
    expect(graph.get('cli/ask.ts')).toContain('cli/host/runAsk.ts');
    expect(graph.get('src/ui/model/embedderActions.ts')).toContain('src/ui/model/folderLabel.ts');
  });

  it('finds a circle when there is one', () => {
    const circles = importCircles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts', 'd.ts']], ['d.ts', []]]));
    expect(circles).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('has no import circles, type imports included', () => {
    expect(importCircles(graph)).toEqual([]);
  });

  it('keeps what users run free of tools/: the commands reach no developer-only file', () => {
    for (const command of ['ask', 'rank', 'eval', 'compare', 'metrics', 'convert']) {
      const reached = [...importClosure(graph, `cli/${command}.ts`)];
      expect(reached.filter((path) => path.startsWith('tools/') || path.startsWith('e2e/'))).toEqual([]);
    }
  });
});
