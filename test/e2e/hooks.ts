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
    }
  },
  async afterAll(this: Context) {
    this.timeout(30_000);
    await stopSession();
  },
};
