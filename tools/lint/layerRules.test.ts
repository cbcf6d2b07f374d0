import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** The layer rules' messages that `code` gets at `filePath` (a path that need not exist). */
async function layerMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const CASES: { file: string; code: string; rule: string | null }[] = [
  { file: 'converter/x.ts', code: "import { x } from '../tools/tiny/random.ts';", rule: 'what users run imports nothing from tools/' },
  { file: 'converter/x.test.ts', code: "import { x } from '../tools/tiny/random.ts';", rule: null },
  { file: 'converter/vision/testing/x.ts', code: "import { x } from '../../../tools/oracles/clip.ts';", rule: null },
  { file: 'converter/llama/x.ts', code: "import { x } from '../../src/engine/llm/LanguageModel.ts';", rule: 'the converter imports no engine' },
  { file: 'converter/llama/x.ts', code: "import { x } from '../../cli/host/ortNode.ts';", rule: 'the converter imports no engine' },
  { file: 'converter/llama/x.ts', code: "import { x } from '../../cli/flags/flags.ts';", rule: null },
  { file: 'cli/host/x.ts', code: "import { x } from '../../src/ui/App.tsx';", rule: 'the CLI imports no page code' },
  { file: 'cli/x.ts', code: "import { x } from '../tools/bench/engine.ts';", rule: 'what users run imports nothing from tools/' },
  { file: 'cli/host/testing/x.ts', code: "import { x } from '../../../tools/tiny/random.ts';", rule: null },
  { file: 'cli/eval/x.ts', code: "import { x } from '../../e2e/testing/runLocks.ts';", rule: 'Node code imports nothing from e2e/' },
  { file: 'src/core/x.ts', code: "import { x } from '../../cli/flags/flags.ts';", rule: 'src/core imports no other layer' },
  { file: 'src/ui/x.ts', code: "import { x } from '../../converter/onnx/float16.ts';", rule: 'the app imports no cli/, converter/, tools/ or e2e/ file' },
  { file: 'tools/oracles/x.ts', code: "import { x } from '../../converter/onnx/float16.ts';", rule: 'tools/oracles shares no code with what it checks' },
  { file: 'tools/oracles/x.ts', code: "import { x } from '../../converter/checkpoint/types.ts';", rule: null },
  { file: 'src/ui/history/x.ts', code: "import { openDB } from 'idb';", rule: 'browser storage lives in src/storage' },
  { file: 'src/storage/x.ts', code: "import { openDB } from 'idb';", rule: null },
  { file: 'src/storage/x.ts', code: "import { x } from '../ui/App.tsx';", rule: 'src/storage imports only src/core' },
];

describe('ESLint layer rules for the Node folders', () => {
  it.each(CASES)('$file: $code', async ({ file, code, rule }) => {
    const messages = await layerMessages(file, code);
    if (rule === null) expect(messages).toEqual([]);
    else {
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(`Layer rule '${rule}'`);
    }
  });
});
