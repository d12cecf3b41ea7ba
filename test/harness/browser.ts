import { chromium, type Browser } from 'playwright-core';
import { type TestDeps } from './testDeps';

/**
 * Flags that keep Debian's Chromium headless, offline and quiet (no sandbox: CI runs as root).
 * playwright-core launches it with a fresh temporary profile of its own and removes it on close.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the system Chromium (`npx playwright install` downloads a browser and cannot run here). */
export function launchBrowser(deps: TestDeps): Promise<Browser> {
  return chromium.launch({ executablePath: deps.chromium, headless: true, args: CHROMIUM_ARGS });
}
