import { defineConfig } from '@playwright/test';
import { findChromium, freePort, QUIET_FLAGS } from './tools/browser/chromium.ts';

// Set once in the main process; Playwright's worker processes inherit it and so agree on the port.
process.env.E2E_PORT ??= String(freePort());
const port = Number(process.env.E2E_PORT);
const executablePath = findChromium();
// Another build folder and results folder let two test runs share a checkout; `npm run test:e2e` uses the defaults.
const dist = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'e2e',
  outputDir: process.env.E2E_RESULTS ?? 'test-results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: process.env.CI !== undefined,
  reporter: [['list']],
  timeout: 60_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'webgpu',
      use: { launchOptions: { executablePath, args: [...QUIET_FLAGS, '--enable-unsafe-webgpu'] } },
    },
    {
      name: 'wasm',
      use: { launchOptions: { executablePath, args: QUIET_FLAGS } },
    },
  ],
  webServer: {
    // The production build, as users get it: `npm run test:e2e` builds first.
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort --outDir ${dist}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
