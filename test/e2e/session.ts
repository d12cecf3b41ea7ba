import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, type BrowserContext } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { launchBrowser } from '../harness/browser';
import { loadTestDeps, repoRoot } from '../harness/testDeps';
import {
  createSandbox,
  runCodeServerCli,
  startVsCodeServer,
  tail,
  testPageUrl,
  type Sandbox,
  type VsCodeServer,
} from '../harness/vscodeServer';
import { Workbench } from './driver';

/** The packaged extension `npm run package` writes; the ring tests exactly what users install. */
export const VSIX = path.join(repoRoot, 'dist/bouncer-results.vsix');
/** Screenshots (numbered per step) and the server log of the last run. */
export const OUTPUT_DIR = path.join(repoRoot, 'test-output/e2e');

/** Everything one end-to-end run shares: one VS Code, one browser page, one emulator. */
export interface E2eSession {
  workbench: Workbench;
  emulator: RunningEmulator;
  server: VsCodeServer;
  sandbox: Sandbox;
}

let current: E2eSession | undefined;
let browser: Browser | undefined;

/** The running session, for test cases (started by the root hooks in hooks.ts). */
export function e2e(): E2eSession {
  if (!current) throw new Error('The e2e session is not running (run with --require out/test/e2e/hooks.js)');
  return current;
}

/**
 * Installs the .vsix into a fresh extensions dir, starts the emulator and the VS Code server with
 * `bouncer.apiBaseUrl` pointing at the emulator, opens the workbench in Chromium and waits until the
 * palette knows the extension's commands.
 */
export async function startSession(): Promise<E2eSession> {
  if (!fs.existsSync(VSIX)) throw new Error(`Missing ${VSIX}: run \`npm run package\` first`);
  fs.rmSync(OUTPUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const deps = loadTestDeps();
  const emulator = await startEmulator({ port: 0 });
  const sandbox = createSandbox('bouncer-e2e', { 'bouncer.apiBaseUrl': emulator.url });
  const installed = await runCodeServerCli(deps, sandbox, ['--install-extension', VSIX]);
  console.log(`      [e2e] ${installed.trim().split('\n').pop()}`);

  let server: VsCodeServer | undefined;
  try {
    server = await startVsCodeServer(deps, sandbox, { smokeTestDriver: false });
    browser = await launchBrowser(deps);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const workbench = new Workbench(page, OUTPUT_DIR);
    current = { workbench, emulator, server, sandbox };
    await page.goto(testPageUrl(server, sandbox.workspaceDir));
    await workbench.waitReady('Bouncer: Set API Key');
    await workbench.screenshot('workbench-ready');
    return current;
  } catch (error) {
    await current?.workbench.screenshot('session-start-failed').catch(() => undefined);
    if (current) await stopSession();
    else {
      await browser?.close().catch(() => undefined);
      browser = undefined;
      await server?.stop();
      await emulator.close();
    }
    throw error;
  }
}

/** Stops browser, server (whole process group) and emulator; keeps the server log beside the screenshots. */
export async function stopSession(): Promise<void> {
  const session = current;
  current = undefined;
  await browser?.close().catch(() => undefined);
  browser = undefined;
  if (!session) return;
  await session.server.stop();
  await session.emulator.close();
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUTPUT_DIR, 'vscode-server.log'), tail(session.server.logFile, 2000));
  fs.rmSync(session.sandbox.root, { recursive: true, force: true });
}

/** A second VS Code on a profile of its own, beside the shared session (see `startFreshProfile`). */
export interface FreshProfile {
  workbench: Workbench;
  server: VsCodeServer;
  sandbox: Sandbox;
  /** Closes its page and stops its server; keeps its server log beside its screenshots. */
  stop(): Promise<void>;
}

/**
 * Starts another VS Code server on a brand-new profile (no API key, no batch history) with the same
 * .vsix and emulator as the running session, and opens it in a new browser context (its own storage),
 * for cases that need what a first-time user sees. Screenshots go to `test-output/e2e/<name>/`.
 */
export async function startFreshProfile(name: string): Promise<FreshProfile> {
  const { emulator } = e2e();
  if (!browser) throw new Error('The e2e browser is not running');
  const outputDir = path.join(OUTPUT_DIR, name);
  const deps = loadTestDeps();
  const sandbox = createSandbox(`bouncer-e2e-${name}`, { 'bouncer.apiBaseUrl': emulator.url });
  let server: VsCodeServer | undefined;
  let context: BrowserContext | undefined;
  const stop = async () => {
    await context?.close().catch(() => undefined);
    context = undefined;
    if (server) {
      await server.stop();
      fs.mkdirSync(outputDir, { recursive: true });
      fs.writeFileSync(path.join(outputDir, 'vscode-server.log'), tail(server.logFile, 2000));
      server = undefined;
    }
    fs.rmSync(sandbox.root, { recursive: true, force: true });
  };
  try {
    await runCodeServerCli(deps, sandbox, ['--install-extension', VSIX]);
    server = await startVsCodeServer(deps, sandbox, { smokeTestDriver: false });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const workbench = new Workbench(page, outputDir);
    await page.goto(testPageUrl(server, sandbox.workspaceDir));
    await workbench.waitReady('Bouncer: Set API Key');
    await workbench.screenshot('workbench-ready');
    return { workbench, server, sandbox, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
