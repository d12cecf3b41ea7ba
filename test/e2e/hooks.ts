import type { Context } from 'mocha';
import { e2e, startSession, stopSession } from './session';

/**
 * Mocha root hooks (`--require out/test/e2e/hooks.js`): one VS Code, browser and emulator for every
 * e2e case; a screenshot of the moment a case fails; everything stopped at the end, also after failures.
 */
export const mochaHooks = {
  async beforeAll(this: Context) {
    this.timeout(180_000);
    await startSession();
  },
  async afterEach(this: Context) {
    const test = this.currentTest;
    if (test?.state === 'failed') {
      const file = await e2e().workbench.screenshot(`FAILED-${test.title}`);
      console.log(`      [e2e] screenshot of the failure: ${file}`);
      // A failed case leaves its menus and tabs behind; clear them so the next case starts where
      // every case expects (no editor open) and the failure is reported once, not once per later case.
      this.timeout(120_000);
      await e2e()
        .workbench.tidyAfterFailure()
        .catch((error: unknown) => console.log(`      [e2e] could not tidy up after the failure: ${String(error)}`));
    }
  },
  async afterAll(this: Context) {
    this.timeout(30_000);
    await stopSession();
  },
};
