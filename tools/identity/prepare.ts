/**
 * npx tsx tools/identity/prepare.ts ROOT: writes ROOT/identity.json (see `IdentityFixtures`). The browser
 * test runs this in its own process: Playwright's loader cannot import the engine's JSON modules.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { prepareIdentityFixtures } from './identityCheck.ts';

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write('usage: tsx tools/identity/prepare.ts ROOT\n');
  process.exit(2);
}
const fixtures = await prepareIdentityFixtures(resolve(root));
await writeFile(join(root, 'identity.json'), JSON.stringify(fixtures));
