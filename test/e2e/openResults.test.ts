import * as assert from 'node:assert/strict';
import { e2e } from './session';
import { openBatchAsJson, setApiKey } from './flows';

// The palette route a person takes: set the key, open a batch as JSON, and meet the two errors
// users hit most (an unknown batch, a wrong key), each with its next step.
describe('Open batch results from the command palette', () => {
  it('stores the API key typed into the password box', async () => {
    const { workbench, emulator } = e2e();
    await setApiKey(workbench, emulator.apiKey);
    await workbench.waitForNotification('Bouncer API key saved');
    await workbench.screenshot('api-key-saved');
    await workbench.clearNotifications();
  });

  it('opens demo-small as a JSON editor tab holding the records', async () => {
    const { workbench, emulator } = e2e();
    await openBatchAsJson(workbench, 'demo-small');
    await workbench.editorLanguage().filter({ hasText: 'JSON' }).waitFor({ timeout: 30_000 });
    const text = workbench.activeEditorText();
    await text.filter({ hasText: '"email"' }).waitFor({ timeout: 30_000 });
    assert.match(await text.innerText(), /"status":\s*"(deliverable|risky|undeliverable|unknown)"/);
    const download = emulator.requests.find((r) => r.path.includes('/batch/demo-small/download'));
    assert.ok(download, 'the emulator served the download');
    assert.equal(download.hadValidKey, true, 'with the key typed into the password box');
    await workbench.screenshot('demo-small-json');
    await workbench.closeAllEditors();
  });

  it('shows the server message for an unknown batch', async () => {
    const { workbench } = e2e();
    await openBatchAsJson(workbench, 'no-such-batch');
    await workbench.waitForNotification('request no-such-batch does not exist');
    await workbench.screenshot('unknown-batch-error');
    await workbench.clearNotifications();
  });

  it('offers "Set API Key" when the key is rejected, and the button asks for a new key', async () => {
    const { workbench, emulator } = e2e();
    await setApiKey(workbench, 'not-the-right-key');
    await workbench.clearNotifications();
    await openBatchAsJson(workbench, 'gen-50');
    const toast = await workbench.waitForNotification('rejected the API key');
    await workbench.screenshot('bad-key-error');
    await workbench.notificationButton(toast, 'Set API Key').click();
    await workbench.typeInQuickInput(emulator.apiKey, { expectPassword: true });
    await workbench.waitQuickInputClosed();
    await workbench.screenshot('key-set-again-from-the-button');
  });
});
