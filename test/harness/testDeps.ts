import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where scripts/install-test-deps.sh put Node 24, code-server and the browser. */
export interface TestDeps {
  /** Node 24 binary that runs code-server's bundled VS Code server. */
  node24: string;
  /** Root of the installed `code-server` package (holds `lib/vscode/out/server-main.js`). */
  codeServerDir: string;
  /** Chromium executable driven by playwright-core. */
  chromium: string;
}

/** The repository root (the extension under development), found from this compiled file's location. */
export const repoRoot: string = findRepoRoot(__dirname);

/** Reads the manifest the install script wrote; fails with the command to run when it is missing. */
export function loadTestDeps(): TestDeps {
  const cache = process.env.BOUNCER_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'bouncer-results-test');
  const manifest = path.join(cache, 'test-deps.json');
  if (!fs.existsSync(manifest)) {
    throw new Error(`Test dependencies are not installed (no ${manifest}). Run: scripts/install-test-deps.sh`);
  }
  const deps = JSON.parse(fs.readFileSync(manifest, 'utf8')) as TestDeps;
  for (const file of [deps.node24, path.join(deps.codeServerDir, 'lib/vscode/out/server-main.js'), deps.chromium]) {
    if (!fs.existsSync(file)) throw new Error(`Missing ${file}. Run: scripts/install-test-deps.sh`);
  }
  return deps;
}

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'esbuild.js'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No repository root above ${start}`);
    dir = parent;
  }
  return dir;
}
