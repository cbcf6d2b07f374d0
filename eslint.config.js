import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Restrictions for every file; each layer's config below repeats them, since a later setting of a rule replaces an earlier one. */
const ORT_PATHS = [
  {
    name: 'onnxruntime-web',
    message: "Import 'onnxruntime-web/webgpu': the default build's JSEP kernels return wrong fp16 numbers silently.",
  },
];
const ORT_PATTERNS = [{ group: ['onnxruntime-web/all', '**/ort.all*'], message: "Import 'onnxruntime-web/webgpu' only." }];

/**
 * The layers of the design (ARCHITECTURE.md, "Invariants"): the folders in `from` import nothing in `to`. A rule with
 * `testsExempt` does not bind tests (`*.test.ts`) and test helpers (`testing/` folders). Each message names the rule and
 * says where the code belongs instead.
 */
const LAYER_RULES = [
  {
    from: ['src/core'],
    to: ['src/engine', 'src/client', 'src/ui', 'src/state', 'src/storage', 'workers', 'cli', 'converter', 'tools', 'e2e'],
    message:
      "Layer rule 'src/core imports no other layer': every layer imports src/core, so it stays pure TypeScript. Move the rule " +
      'this needs into src/core, or move this code out (runtime to src/engine, page code to src/client or src/ui, ' +
      'Node-only code to cli/ or converter/, test helpers and fixture scripts to tools/).',
  },
  {
    from: ['src/ui', 'src/state', 'src/client'],
    to: ['src/engine'],
    message:
      "Layer rule 'the page imports no src/engine file': the page reaches the engine only through a worker. Put a rule both " +
      'sides need in src/core (types of a worker API too), and page-side worker code in src/client.',
  },
  {
    from: ['src/state'],
    to: ['src/ui', 'src/client'],
    message:
      "Layer rule 'src/state imports no src/ui or src/client file': stores hold serialisable data, and the UI and the client " +
      'import them, not the reverse. Move the rule the store needs into src/core.',
  },
  {
    from: ['src/client'],
    to: ['src/ui'],
    message:
      "Layer rule 'src/client imports no src/ui file': the client is the page's side of the worker boundary; components and " +
      'actions call it (pageEngine, src/client/engine.ts), not the reverse. Move what both need into src/core or src/state.',
  },
  {
    from: ['src/engine', 'workers'],
    to: ['src/ui', 'src/state', 'src/client'],
    message:
      "Layer rule 'the engine and the workers import no page code': they run behind the worker boundary and in Node. " +
      'Move a rule both sides need into src/core.',
  },
  {
    from: ['src/storage'],
    to: ['src/engine', 'src/client', 'src/ui', 'src/state', 'workers'],
    message:
      "Layer rule 'src/storage imports only src/core': it is the page's database, which the UI's actions call. Pass what " +
      'it needs in as data, and keep the rule in src/core.',
  },
  {
    from: ['src/engine', 'src/client', 'src/ui', 'src/state', 'src/storage', 'workers'],
    to: ['cli', 'converter', 'tools', 'e2e'],
    message:
      "Layer rule 'the app imports no cli/, converter/, tools/ or e2e/ file': they run in Node and import the app, not the " +
      'reverse. Move a rule both need into src/core.',
  },
  {
    from: ['converter'],
    to: ['src/engine', 'src/client', 'src/ui', 'src/state', 'workers', 'cli/host'],
    testsExempt: true,
    message:
      "Layer rule 'the converter imports no engine': it reads checkpoints and writes graphs, and runs wherever Node does, " +
      'GPU or not. Put a rule both need (names, shapes) in src/core; code that runs a written graph belongs in a test ' +
      'helper (a testing/ folder) or under cli/host.',
  },
  {
    from: ['cli'],
    to: ['src/client', 'src/ui', 'src/state'],
    message:
      "Layer rule 'the CLI imports no page code': it drives src/engine in Node (cli/host). Move a rule both need into " +
      'src/core.',
  },
  {
    from: ['cli', 'converter'],
    to: ['tools'],
    testsExempt: true,
    message:
      "Layer rule 'what users run imports nothing from tools/': tools/ holds what only developers run (benchmarks, " +
      'oracles, the tiny model, the demo). Tests and testing/ helpers may import it; move the code itself into cli/ or ' +
      'converter/.',
  },
  {
    from: ['tools/oracles'],
    to: ['converter/onnx', 'cli/host', 'src/engine'],
    message:
      "Layer rule 'tools/oracles shares no code with what it checks': the fp32 oracles hold the exported graphs and the engine " +
      'to account, so a bug in the graph writer or the engine must not reach them. Compute it again here, plainly.',
  },
  {
    from: ['cli', 'converter', 'tools'],
    to: ['e2e'],
    message:
      "Layer rule 'Node code imports nothing from e2e/': the Playwright specs sit on top of it. Move what both need into " +
      'tools/ (as tools/browser/chromium.ts) and import it from e2e/.',
  },
];

/** Packages src/core may not import: it runs in Node, in workers and in the page, with no DOM, GPU or Comlink. */
const CORE_PACKAGE_RULES = [
  {
    names: ['comlink'],
    message:
      "Layer rule 'src/core imports no Comlink': keep the types of a worker API in src/core and its Comlink side in " +
      'src/engine (implementation), workers/ (both sides, as workers/workerErrors.ts) or src/client (page side).',
  },
  {
    names: ['react', 'react-dom', 'zustand', 'lucide-react', 'idb'],
    message: "Layer rule 'src/core imports no DOM-only code': components go to src/ui, stores to src/state, browser storage to src/storage.",
  },
  {
    names: ['onnxruntime-web', 'onnxruntime-node'],
    message: "Layer rule 'src/core touches no GPU or runtime': sessions and tensors belong in src/engine.",
  },
];

/** Packages the page's components and stores may not import: only src/client talks to workers. */
const PAGE_PATHS = [
  {
    name: 'comlink',
    message:
      "Layer rule 'only src/client touches the workers': components and actions call pageEngine (src/client/engine.ts), " +
      'which owns the worker, its Comlink proxy and its restarts.',
  },
  {
    name: 'idb',
    message:
      "Layer rule 'browser storage lives in src/storage': call the page's database (appDb() in src/storage/appDb.ts), " +
      'which owns the schema, the shared image store and the migrations.',
  },
];
const PAGE_LAYERS = ['src/ui', 'src/state'];

/** How deep a file may sit below its layer's folder and still be checked (tools/bench/engine/browser/ is 3 deep). */
const MAX_DEPTH = 10;
const SOURCES = '{ts,tsx,js,mjs}';

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The relative specifiers that reach folder `target` from a file `depth` folders below folder `layer`. The same
 * specifier means another folder at another depth ("../engine/" is src/engine from src/ui/App.tsx, src/ui/engine
 * from src/ui/run/RunControls.tsx), so each depth gets its own regex: `depth` "../" stay in the layer, and each
 * further one climbs to an ancestor of it, from which the target is reached downwards.
 */
function specifierRegex(layer, depth, targets) {
  const layerParts = layer.split('/');
  const alternatives = [];
  for (const target of targets) {
    const targetParts = target.split('/');
    for (let above = 1; above <= layerParts.length; above++) {
      const ancestor = layerParts.slice(0, layerParts.length - above);
      if (!ancestor.every((part, i) => targetParts[i] === part)) continue;
      alternatives.push(`(?:\\.\\./){${depth + above}}${escapeRegex(targetParts.slice(ancestor.length).join('/'))}`);
    }
  }
  return `^(?:${alternatives.join('|')})(?:/|$)`;
}

/** In src/core its own messages replace the general ones for the same packages. */
const CORE_PATHS = CORE_PACKAGE_RULES.flatMap((rule) => rule.names.map((name) => ({ name, message: rule.message })));
const CORE_PACKAGE_PATTERNS = CORE_PACKAGE_RULES.map((rule) => ({
  regex: `^(?:${rule.names.map(escapeRegex).join('|')})/`,
  caseSensitive: true,
  message: rule.message,
}));

/**
 * One config per layer folder and depth, holding every layer rule that governs that folder, its enclosing layers'
 * too (tools/oracles is also in tools). A later config replaces an earlier one's rule, so deeper layers come last.
 */
function layerConfigs() {
  const layers = [...new Set(LAYER_RULES.flatMap((rule) => rule.from))].sort((a, b) => a.split('/').length - b.split('/').length);
  return layers.flatMap((layer) =>
    Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => [false, true].map((tests) => {
      const folderPatterns = LAYER_RULES.filter((rule) => !(tests && rule.testsExempt)).flatMap((rule) =>
        rule.from
          .filter((from) => layer === from || layer.startsWith(`${from}/`))
          .map((from) => ({
            regex: specifierRegex(from, depth + layer.split('/').length - from.split('/').length, rule.to),
            caseSensitive: true,
            message: rule.message,
          })),
      );
      const core = layer === 'src/core';
      const paths = core
        ? [...CORE_PATHS, ...ORT_PATHS.filter((ort) => !CORE_PATHS.some((path) => path.name === ort.name))]
        : PAGE_LAYERS.includes(layer)
          ? [...ORT_PATHS, ...PAGE_PATHS]
          : ORT_PATHS;
      const patterns = [...ORT_PATTERNS, ...folderPatterns, ...(core ? CORE_PACKAGE_PATTERNS : [])];
      const files = tests
        ? [`${layer}/${'*/'.repeat(depth)}*.test.${SOURCES}`, ...(depth > 0 ? [`${layer}/${'*/'.repeat(depth - 1)}testing/*.${SOURCES}`] : [])]
        : [`${layer}/${'*/'.repeat(depth)}*.${SOURCES}`];
      return {
        name: `layers/${layer}/depth-${depth}${tests ? '/tests' : ''}`,
        files,
        rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
      };
    })).flat(),
  );
}

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', '.cache'] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.browser, ...globals.node },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: ORT_PATHS, patterns: ORT_PATTERNS }],
    },
  },
  ...layerConfigs(),
  {
    name: 'layers/src/core/no-dom',
    files: [`src/core/**/*.${SOURCES}`],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['document', 'window', 'localStorage', 'sessionStorage'].map((name) => ({
          name,
          message: "Layer rule 'src/core imports no DOM-only code': src/core also runs in Node and in workers. Pass the value in from src/ui or src/client.",
        })),
      ],
    },
  },
);
