import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunningEmulator } from '../../emulator/server';
import type { BouncerExtensionApi, BouncerTestingApi } from '../../src/host/extension';
import { closeAllEditors, connectToEmulator, replaceApiKey, testingApi, useApiBaseUrl } from './helpers';

// Any extension can run `bouncer.setApiKey` with an argument; the key it would replace is the user's.
describe('Setting the API key by command argument', function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;
  let testing: BouncerTestingApi;

  /** True when a download with the stored key is accepted by the emulator. */
  const storedKeyWorks = async (): Promise<boolean> => {
    const opened = await Promise.resolve(
      // Not demo-small: other suites count its cache files, and every suite's emulator is another origin.
      vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'gen-20', refresh: true }),
    ).then(
      () => true,
      () => false,
    );
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal(emulator.requests.at(-1)?.hadValidKey, opened);
    return opened;
  };

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
    testing = testingApi(api);
  });

  afterEach(async () => {
    testing.seam.replaceApiKeyAnswer = undefined;
    await closeAllEditors();
  });

  after(async () => {
    await emulator?.close();
  });

  it('asks before replacing a different stored key, and keeps it when the question is dismissed', async () => {
    const asked = testing.seam.replaceApiKeyQuestions.length;
    testing.seam.replaceApiKeyAnswer = false;
    const result = await vscode.commands.executeCommand('bouncer.setApiKey', 'some-other-key-1234');
    assert.equal(result, false, 'the command reports that no key was stored');
    assert.deepEqual(testing.seam.replaceApiKeyQuestions.slice(asked), [emulator.url]);
    assert.equal(await storedKeyWorks(), true, 'the previous key is still the one used');
  });

  it('does nothing and asks nothing when given the key already stored', async () => {
    const asked = testing.seam.replaceApiKeyQuestions.length;
    assert.equal(await vscode.commands.executeCommand('bouncer.setApiKey', emulator.apiKey), true);
    assert.equal(testing.seam.replaceApiKeyQuestions.length, asked);
  });

  it('replaces the key when the user agrees', async () => {
    await replaceApiKey(api, 'some-other-key-1234');
    try {
      assert.equal(await storedKeyWorks(), false, 'the new (wrong) key is used');
    } finally {
      await replaceApiKey(api, emulator.apiKey);
    }
    assert.equal(await storedKeyWorks(), true);
  });
});

// The key can reach an error's text: pasted where a batch ID goes, or echoed back by a server.
describe('Error messages', function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;
  let testing: BouncerTestingApi;

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
    testing = testingApi(api);
  });

  after(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await emulator?.close();
  });

  it('refuse the key itself as a batch ID, without a request or a history entry', async () => {
    const key = emulator.apiKey;
    const requests = emulator.requests.length;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: key })),
      (error: Error) => {
        assert.match(error.message, /your API key, not a batch ID/);
        assert.ok(!error.message.includes(key), `the key is not in "${error.message}"`);
        return true;
      },
    );
    await vscode.commands.executeCommand('bouncer.batches.waitForCompletion', { batchId: key });
    // The credits status bar may refresh meanwhile (the key was just set); no batch request went out.
    const batchRequests = emulator.requests.slice(requests).filter((r) => r.path !== '/v1.1/credits');
    assert.deepEqual(batchRequests, [], 'no request carried it');
    const tree = await api.describeBatchesTree();
    assert.ok(!JSON.stringify(tree).includes(key), 'the Batches view does not list it');
  });

  // A batch ID that contains the key but is not it: the server echoes it back in its 404.
  it('mask the stored key in what is shown and in what a command rejects with', async () => {
    const key = emulator.apiKey;
    const shown = testing.seam.shownErrors.length;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: `${key}-2` })),
      (error: Error) => {
        assert.match(error.message, /does not exist/);
        assert.ok(!error.message.includes(key), `the key is not in "${error.message}"`);
        assert.match(error.message, /‹redacted›/, 'it is masked, not dropped silently');
        return true;
      },
    );
    const messages = testing.seam.shownErrors.slice(shown).map((m) => m.text);
    assert.equal(messages.length, 1, 'one message was shown');
    assert.ok(!messages[0].includes(key), `the key is not in "${messages[0]}"`);
  });

  it('mask the stored key in what the Batches view shows', async () => {
    const key = emulator.apiKey;
    const shown = testing.seam.shownErrors.length;
    try {
      await vscode.commands.executeCommand('bouncer.batches.waitForCompletion', { batchId: `${key}-2` });
      const messages = testing.seam.shownErrors.slice(shown).map((m) => m.text);
      assert.equal(messages.length, 1, 'one message was shown');
      assert.match(messages[0], /does not exist/);
      assert.ok(!messages[0].includes(key), `the key is not in "${messages[0]}"`);
    } finally {
      await vscode.commands.executeCommand('bouncer.batches.remove', { batchId: `${key}-2` });
    }
  });

  // One reporter for every command: a Batches view command offers the same next steps as the palette.
  it('offer Set API Key when the Batches view meets a rejected key', async () => {
    await replaceApiKey(api, 'not-the-right-key');
    const shown = testing.seam.shownErrors.length;
    try {
      await vscode.commands.executeCommand('bouncer.batches.waitForCompletion', { batchId: 'pending-1' });
    } finally {
      await replaceApiKey(api, emulator.apiKey);
    }
    const messages = testing.seam.shownErrors.slice(shown);
    assert.equal(messages.length, 1, 'one message was shown');
    assert.match(messages[0].text, /rejected the API key/);
    assert.deepEqual(messages[0].buttons, ['Set API Key', 'Show Log']);
  });

  it('offer Open Settings when a Batches view command meets an unusable API URL setting', async () => {
    await useApiBaseUrl('http://example.invalid');
    const shown = testing.seam.shownErrors.length;
    try {
      await vscode.commands.executeCommand('bouncer.batches.rename', { batchId: 'demo-small' }, 'Spring list');
    } finally {
      await useApiBaseUrl(emulator.url);
    }
    const messages = testing.seam.shownErrors.slice(shown);
    assert.equal(messages.length, 1, 'one message was shown');
    assert.match(messages[0].text, /API URL setting is not usable/);
    assert.deepEqual(messages[0].buttons, ['Open Settings', 'Show Log']);
  });
});
