/**
 * Offline launcher for the integration ring: runs the same mocha suite @vscode/test-electron would
 * (test/integration/index.ts), inside a real Node extension host, without downloading VS Code.
 *
 * The VS Code server bundled in code-server serves the workbench on a free loopback port; headless
 * Chromium opens it with the extension development and tests locations in the URL payload. With
 * `--enable-smoke-test-driver` the page reports the suite's console output through
 * `window.codeAutomationLog` and its result through `window.codeAutomationExit`, both exposed here.
 *
 * Usage (after `npm run build && npm run compile-tests`): node out/test/runIntegration.js
 * Env: BOUNCER_TEST_GREP (mocha grep), BOUNCER_TEST_TIMEOUT_MS (whole run, default 300000),
 *      BOUNCER_TEST_KEEP=1 (keep the temp profile and server log).
 * Output: the mocha report on stdout; the whole page console in test-output/integration/console.log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser } from 'playwright-core';
import { launchBrowser } from './harness/browser';
import { formatAutomationLog, isWorkbenchChatter, SUITE_START_MARKER } from './harness/automationLog';
import { withTimeout } from './harness/processes';
import { loadTestDeps, repoRoot } from './harness/testDeps';
import { createSandbox, startVsCodeServer, tail, testPageUrl, type VsCodeServer } from './harness/vscodeServer';

async function main(): Promise<number> {
  const timeoutMs = Number(process.env.BOUNCER_TEST_TIMEOUT_MS ?? 300_000);
  const testsEntry = path.join(repoRoot, 'out/test/integration/index.js');
  for (const file of [testsEntry, path.join(repoRoot, 'dist/extension.js')]) {
    if (!fs.existsSync(file)) throw new Error(`Missing ${file}: run \`npm run build && npm run compile-tests\` first`);
  }
  const deps = loadTestDeps();
  const sandbox = createSandbox('bouncer-integration');
  let server: VsCodeServer | undefined;
  let browser: Browser | undefined;
  let exitCode = 1;
  // Everything the page logs goes to this file; only the suite's own output is echoed.
  const outputDir = path.join(repoRoot, 'test-output/integration');
  const consoleLog = path.join(outputDir, 'console.log');
  fs.mkdirSync(outputDir, { recursive: true });
  fs.writeFileSync(consoleLog, '');
  let suiteStarted = false;
  try {
    server = await startVsCodeServer(deps, sandbox, { smokeTestDriver: true });
    browser = await launchBrowser(deps);
    const page = await browser.newPage();

    let reportExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = formatAutomationLog(args);
      fs.appendFileSync(consoleLog, `[${type}] ${line}\n`);
      if (line === SUITE_START_MARKER) suiteStarted = true;
      else if (suiteStarted && !isWorkbenchChatter(line)) {
        (type === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    page.on('pageerror', (error) => fs.appendFileSync(consoleLog, `[pageerror] ${error.message}\n`));

    const url = testPageUrl(server, sandbox.workspaceDir, repoRoot, testsEntry);
    console.log(`[integration] VS Code server ${server.origin}, profile ${sandbox.root}`);
    await page.goto(url);
    exitCode = await withTimeout(exited, timeoutMs, `integration suite did not finish within ${timeoutMs} ms`);
    console.log(`[integration] extension host exited with code ${exitCode}`);
    if (!suiteStarted) console.error(`[integration] the suite never started; page console:\n${tail(consoleLog)}`);
  } catch (error) {
    console.error(`[integration] ${(error as Error).message}`);
    console.error(`--- page console (${consoleLog}) ---\n${tail(consoleLog)}`);
    if (server) console.error(`--- VS Code server log (${server.logFile}) ---\n${tail(server.logFile)}`);
    exitCode = 1;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (exitCode === 0 && !process.env.BOUNCER_TEST_KEEP) fs.rmSync(sandbox.root, { recursive: true, force: true });
    else console.log(`[integration] kept ${sandbox.root}`);
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
