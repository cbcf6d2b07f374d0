import { test as base, expect } from '@playwright/test';

/** Every browser test fails on an uncaught page error or a WebGPU validation error, wherever it was logged. */
export const test = base.extend<{ pageProblems: string[] }>({
  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (/WebGPU validation error/i.test(message.text())) problems.push(`console: ${message.text()}`);
      });
      page.on('worker', (worker) => {
        worker.on('console', (message) => {
          if (/WebGPU validation error/i.test(message.text())) problems.push(`worker console: ${message.text()}`);
        });
      });
      await use(problems);
      expect(problems, 'page errors and WebGPU validation errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
