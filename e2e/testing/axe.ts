import { writeFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { expect } from '../fixtures.ts';

const SCHEMES = ['light', 'dark'] as const;

/** Runs axe (WCAG 2.x A and AA rules) in both colour schemes and fails with each violation's rule, nodes and help. */
export async function expectNoViolations(page: Page, testInfo: TestInfo, state: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const violations = results.violations.map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
    }));
    await testInfo.attach(`axe-${state}-${colorScheme}.json`, { body: JSON.stringify(violations, null, 2), contentType: 'application/json' });
    await writeFile(testInfo.outputPath(`axe-${state}-${colorScheme}.json`), JSON.stringify(violations, null, 2));
    await page.screenshot({ path: testInfo.outputPath(`${state}-${colorScheme}.png`), fullPage: true });
    expect(violations, `axe violations, ${state}, ${colorScheme} scheme`).toEqual([]);
  }
}
