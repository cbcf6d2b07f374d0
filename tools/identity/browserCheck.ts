/**
 * npx tsx tools/identity/browserCheck.ts: the engine in headless Chromium, in a module worker as the app runs it,
 * on the wasm EP and on WebGPU (`--enable-unsafe-webgpu`; SwiftShader on a machine without a GPU), against the
 * same engine in Node. Greedy tokens must be identical everywhere, including a second question that reuses the
 * KV cache. Prints one table with speeds; exit status 1 on any difference. ENGINE_CHECK_ONLY=webgpu-q4-fixed runs
 * one configuration. `e2e/engineIdentity.spec.ts` runs the same check inside `npm test`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium, QUIET_FLAGS } from '../browser/chromium.ts';
import { configName, expectedFor, IDENTITY_CONFIGS } from './configs.ts';
import { prepareIdentityFixtures } from './identityCheck.ts';
import { runIdentityInPage } from './runInPage.ts';
import { serveCheck } from './serveCheck.ts';

const root = await mkdtemp(join(tmpdir(), 'depictqa-engine-browser-'));
try {
  const fixtures = await prepareIdentityFixtures(root);
  const server = await serveCheck(fixtures.siteDir, fixtures.bundleDir, (path) => process.stderr.write(`  [server] 404 ${path}\n`));
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...QUIET_FLAGS, '--enable-unsafe-webgpu'] });
  let failures = 0;
  const table: string[][] = [['backend', 'variant', 'image rows', 'adapter', 'same tokens', 'prefill tok/s', 'decode tok/s', 'reused positions (2nd)', 'note']];
  try {
    const only = process.env.ENGINE_CHECK_ONLY;
    for (const config of IDENTITY_CONFIGS.filter((c) => only === undefined || configName(c) === only)) {
      process.stderr.write(`${config.backend} ${config.variant} ${config.rows} rows…\n`);
      const want = expectedFor(fixtures, config);
      const problems: string[] = [];
      const page = await browser.newPage();
      page.on('crash', () => problems.push('the page crashed'));
      if (process.env.ENGINE_CHECK_VERBOSE) page.on('console', (message) => process.stderr.write(`  [page] ${message.text()}\n`));
      page.on('console', (message) => {
        if (/validation error|WebGPU.*error/i.test(message.text())) problems.push(message.text());
      });
      const result = await runIdentityInPage(page, server.origin, server.bundleUrl, fixtures, config);
      await page.close();
      if (!result.ok) {
        failures++;
        table.push([config.backend, config.variant, config.rows, '-', 'no', '-', '-', '-', `${result.error.code}: ${result.error.message}`.slice(0, 160)]);
        continue;
      }
      const same = result.answers.every((answer, i) => JSON.stringify(answer.ids) === JSON.stringify(want[i]));
      if (!same || problems.length > 0) failures++;
      const first = result.answers[0]!.stats;
      table.push([
        config.backend,
        config.variant,
        config.rows,
        result.adapter ?? 'none',
        same ? 'yes' : `no: ${JSON.stringify(result.answers.map((answer) => answer.ids))} vs ${JSON.stringify(want)}`,
        first.prefillTokensPerSecond.toFixed(0),
        first.decodeTokensPerSecond.toFixed(1),
        String(result.answers[1]!.stats.reusedPositions),
        problems.slice(0, 2).join(' | '),
      ]);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  for (const row of table) process.stdout.write(`${row.join(' | ')}\n`);
  process.exitCode = failures > 0 ? 1 : 0;
} finally {
  await rm(root, { recursive: true, force: true });
}
