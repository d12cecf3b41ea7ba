/**
 * Launcher for contributors whose machine can download VS Code: runs the same integration suite
 * (test/integration/index.ts) in a desktop VS Code fetched by @vscode/test-electron into .vscode-test/.
 * CI here is offline and uses test/runIntegration.ts instead; both load the real extension, no mocks.
 *
 * Usage: npm run build && npm run compile-tests && node out/test/runTestElectron.js
 * Env: VSCODE_TEST_VERSION (default `stable`; e.g. `1.95.0`, the lowest version package.json supports).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './harness/testDeps';

async function main(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-electron-ws-'));
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out/test/integration/index.js'),
      extensionTestsEnv: { BOUNCER_TEST_GREP: process.env.BOUNCER_TEST_GREP ?? '' },
      // A fresh workspace and no other extensions, like the offline ring's sandbox.
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
