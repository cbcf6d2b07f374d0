import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';

/**
 * The Chromium the browser tests drive: $CHROMIUM_PATH, else Debian's binary (not /usr/bin/chromium, a wrapper
 * script that adds its own flags), else Playwright's downloaded browser. Throws a message that says how to get one.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, but no file is there.`);
    return fromEnv;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const bundled = playwrightChromium();
  if (bundled !== null) return bundled;
  throw new Error(
    'No Chromium found for the browser tests. Install one with `apt-get install chromium` (Debian/Ubuntu) or ' +
      '`npx playwright install chromium`, or point CHROMIUM_PATH at a Chromium or Chrome binary.',
  );
}

function playwrightChromium(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    const path = chromium.executablePath();
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Flags for a headless run on a closed network: no background traffic to Google's hosts. */
export const QUIET_FLAGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A free TCP port on 127.0.0.1, found synchronously (Playwright reads its config synchronously). */
export function freePort(): number {
  const script =
    "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}
