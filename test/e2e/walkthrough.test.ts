import * as assert from 'node:assert/strict';
import { e2e, startFreshProfile, type FreshProfile } from './session';

// What a first-time user meets: the Get Started walkthrough, on a profile with no key and no history.
describe('The Get Started walkthrough', () => {
  let profile: FreshProfile | undefined;

  before(async () => {
    profile = await startFreshProfile('walkthrough');
  });

  after(async () => {
    await profile?.stop();
    profile = undefined;
  });

  it('opens on a fresh profile, and its first step is done once a key is set', async () => {
    const { workbench } = profile!;
    const { emulator } = e2e();
    await workbench.runCommand('Welcome: Open Walkthrough...');
    await workbench.quickInput
      .locator('.monaco-list-row', { hasText: 'Get Started with Bouncer Results' })
      .first()
      .click({ timeout: 30_000 });
    const first = workbench.walkthroughStep('Set your API key');
    await first.waitFor({ timeout: 30_000 });
    // The emulator is on loopback: the demo batch is offered instead of the plain "Open a batch" step.
    await workbench.walkthroughStep('Open the demo batch').waitFor({ timeout: 30_000 });
    assert.equal(await first.getAttribute('aria-checked'), 'false', 'not done before a key is set');
    await workbench.screenshot('walkthrough-fresh');

    await first.click();
    await workbench.walkthroughButton('Set API Key').click({ timeout: 30_000 });
    await workbench.typeInQuickInput(emulator.apiKey, { expectPassword: true });
    await workbench.waitQuickInputClosed();
    await workbench.walkthroughStep('Set your API key').and(workbench.page.locator('[aria-checked="true"]')).waitFor({
      timeout: 30_000,
    });
    await workbench.screenshot('walkthrough-key-set');
  });
});
