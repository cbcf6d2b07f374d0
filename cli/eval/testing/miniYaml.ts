/**
 * The block-style YAML subset our deployment manifests use: documents split by `---`, maps, lists (of scalars or
 * maps), `|` literal blocks, plain / single- / double-quoted scalars, comments. Enough to check the manifests in
 * tests without a YAML library; anything outside the subset throws. Test helper only.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

export function parseYamlDocuments(source: string): YamlValue[] {
  return source
    .split(/^---\s*$/m)
    .map((doc) => doc.split('\n').map((text, k) => ({ raw: text, number: k + 1 })))
    .map((rows) => parseDocument(rows))
    .filter((doc) => doc !== null);
}

function parseDocument(rows: Array<{ raw: string; number: number }>): YamlValue {
  const lines: Line[] = [];
  for (const { raw, number } of rows) {
    if (raw.trim() === '' || raw.trim().startsWith('#')) {
      // Blank lines inside a literal block are kept by the block reader below, from `rows`.
      lines.push({ indent: -1, text: raw, number });
      continue;
    }
    lines.push({ indent: raw.length - raw.trimStart().length, text: raw.trim(), number });
  }
  const content = lines.filter((l) => l.indent >= 0);
  if (content.length === 0) return null;
  const state = { lines, k: lines.indexOf(content[0]!) };
  return parseBlock(state, content[0]!.indent);
}

interface State {
  lines: Line[];
  k: number;
}

function peek(state: State): Line | undefined {
  while (state.k < state.lines.length && state.lines[state.k]!.indent < 0) state.k++;
  return state.lines[state.k];
}

function parseBlock(state: State, indent: number): YamlValue {
  const first = peek(state)!;
  return first.text.startsWith('- ') || first.text === '-' ? parseList(state, indent) : parseMap(state, indent);
}

function parseList(state: State, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  for (let line = peek(state); line !== undefined && line.indent === indent && line.text.startsWith('-'); line = peek(state)) {
    const rest = line.text.slice(1).trimStart();
    if (/^[\w.'"/-]+:(\s|$)/.test(rest)) {
      // "- key: value": a map whose keys sit two columns in.
      state.lines[state.k] = { indent: indent + 2, text: rest, number: line.number };
      items.push(parseMap(state, indent + 2));
    } else if (rest === '|') {
      state.k++;
      items.push(literalBlock(state, indent));
    } else {
      state.k++;
      items.push(scalar(rest, line.number));
    }
  }
  return items;
}

function parseMap(state: State, indent: number): { [key: string]: YamlValue } {
  const map: { [key: string]: YamlValue } = {};
  for (let line = peek(state); line !== undefined && line.indent === indent && !line.text.startsWith('- '); line = peek(state)) {
    const match = /^([\w.'"/-]+):(?:\s+(.*))?$/.exec(line.text);
    if (match === null) throw new Error(`YAML line ${line.number}: "${line.text}" is outside the subset`);
    const key = match[1]!.replace(/^["']|["']$/g, '');
    const rest = stripComment(match[2] ?? '');
    state.k++;
    if (rest === '|') {
      map[key] = literalBlock(state, indent);
    } else if (rest === '') {
      const next = peek(state);
      map[key] = next !== undefined && (next.indent > indent || (next.indent === indent && next.text.startsWith('- '))) ? parseBlock(state, next.indent) : null;
    } else {
      map[key] = scalar(rest, line.number);
    }
  }
  return map;
}

function literalBlock(state: State, parentIndent: number): string {
  const body: string[] = [];
  let blockIndent = -1;
  while (state.k < state.lines.length) {
    const line = state.lines[state.k]!;
    if (line.indent >= 0 && line.indent <= parentIndent) break;
    if (line.indent >= 0 && blockIndent < 0) blockIndent = line.indent;
    body.push(line.indent < 0 ? '' : `${' '.repeat(line.indent - blockIndent)}${line.text}`);
    state.k++;
  }
  while (body.length > 0 && body.at(-1) === '') body.pop();
  return `${body.join('\n')}\n`;
}

function stripComment(text: string): string {
  if (text.startsWith('"') || text.startsWith("'")) return text;
  return text.replace(/\s+#.*$/, '').trim();
}

function scalar(raw: string, number: number): YamlValue {
  const text = stripComment(raw.trim());
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  if (text.startsWith('[') || text.startsWith('{')) throw new Error(`YAML line ${number}: flow collections are outside the subset`);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~' || text === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}
