import type { Page } from 'playwright-core';
import type { CheckResult } from './browser/protocol.ts';
import { IDENTITY_REQUESTS, type IdentityConfig, type IdentityFixtures } from './configs.ts';

/** Opens the check page and answers the identity requests in a fresh engine worker with one configuration. */
export async function runIdentityInPage(page: Page, origin: string, bundleUrl: string, fixtures: IdentityFixtures, config: IdentityConfig): Promise<CheckResult> {
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => document.title === 'engine check ready');
  return (await page.evaluate(
    (request) => (globalThis as unknown as { runCheck: (r: unknown) => Promise<unknown> }).runCheck(request),
    {
      bundleUrl,
      variant: config.variant,
      backend: config.backend,
      rows: config.rows,
      ...(config.graphCapture === undefined ? {} : { graphCapture: config.graphCapture }),
      images: fixtures.images,
      requests: IDENTITY_REQUESTS,
    },
  )) as CheckResult;
}
