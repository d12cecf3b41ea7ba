import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESULT_PREFIX } from './stats';

export interface RealVsCodeRun {
  /** This bundle's path: VS Code loads it as the test entry and calls its `run` in the extension host. */
  entry: string;
  /** The extension to run; its `dist/extension.js` must be built. */
  extensionPath: string;
  /** Prefix of the throw-away folder holding the profile and the workspace. */
  sandbox: string;
  /** A file written into the workspace for the host half to read its settings from. */
  configFile: string;
  config: unknown;
  timeoutMs: number;
  /** What runs, for the timeout's message ("the VS Code open bench"). */
  what: string;
}

/**
 * Bench-process half of a measurement in a real VS Code: starts the VS Code server with a fresh
 * sandbox, drives it from headless Chromium, and resolves with the JSON the host half printed after
 * {@link RESULT_PREFIX}. The harness is imported lazily, so the host half's bundle never loads it.
 */
export async function runInRealVsCode<T>(run: RealVsCodeRun): Promise<T> {
  const { loadTestDeps } = await import('../test/harness/testDeps.js');
  const { createSandbox, startVsCodeServer, testPageUrl } = await import('../test/harness/vscodeServer.js');
  const { launchBrowser } = await import('../test/harness/browser.js');
  const { formatAutomationLog } = await import('../test/harness/automationLog.js');
  const { withTimeout } = await import('../test/harness/processes.js');
  if (!fs.existsSync(path.join(run.extensionPath, 'dist/extension.js'))) {
    throw new Error(`${run.extensionPath}/dist/extension.js is missing: run npm run build`);
  }
  const deps = loadTestDeps();
  const sandbox = createSandbox(run.sandbox);
  fs.writeFileSync(path.join(sandbox.workspaceDir, run.configFile), JSON.stringify(run.config));
  const server = await startVsCodeServer(deps, sandbox, { smokeTestDriver: true });
  const browser = await launchBrowser(deps);
  try {
    const page = await browser.newPage();
    let result: T | undefined;
    let reportExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    const errors: string[] = [];
    await page.exposeFunction('codeAutomationLog', (type: string, logged: unknown[]) => {
      const line = formatAutomationLog(logged);
      if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length)) as T;
      else if (type === 'error') errors.push(line);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    await page.goto(testPageUrl(server, sandbox.workspaceDir, run.extensionPath, run.entry));
    const minutes = Math.round(run.timeoutMs / 60_000);
    const code = await withTimeout(exited, run.timeoutMs, `${run.what} did not finish within ${minutes} minutes`);
    if (code !== 0 || result === undefined) {
      throw new Error(`the extension host exited ${code} without figures: ${errors.slice(-3).join(' | ')}`);
    }
    return result;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    fs.rmSync(sandbox.root, { recursive: true, force: true });
  }
}
