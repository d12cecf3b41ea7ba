import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BatchDiff } from '../../src/core/batchDiff';
import type { RunningEmulator } from '../../emulator/server';
import type { BouncerExtensionApi } from '../../src/host/extension';
import { connectToEmulator, disconnectFromEmulator, testingApi } from './helpers';

// The shared poller follows a batch the emulator completes after a known number of status polls.
// Rounds are run on demand through the testing API, so nothing here depends on time.
describe('Following batches', function () {
  this.timeout(90_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
    // No round of its own during the test: each one is asked for.
    testingApi(api).poller.setBaseInterval(3_600_000);
  });

  after(async () => {
    testingApi(api).poller.setBaseInterval(10_000);
    await disconnectFromEmulator(emulator);
  });

  const item = async (batchId: string) => (await api.describeBatchesTree()).batches.find((b) => b.batchId === batchId);

  it('moves a followed batch from processing to completed in the tree', async () => {
    const batchId = 'pending-10';
    await vscode.commands.executeCommand('bouncer.batches.follow', { batchId });
    const first = await item(batchId);
    assert.ok(first, 'the batch appears at once');
    assert.match(first.description, /^(queued|processing)/, first.description);
    assert.equal(first.contextValue, 'batch-pending');

    const seen: string[] = [];
    for (let round = 0; round < 15; round++) {
      await testingApi(api).poller.pollNow();
      const now = await item(batchId);
      assert.ok(now);
      seen.push(now.description);
      if (!now.contextValue.includes('pending')) break;
    }
    assert.ok(
      seen.some((d) => /^processing · \d+ of 30 \(\d+%\)/.test(d) && !d.startsWith('processing · 30 of')),
      `shows processed of quantity while processing: ${seen.join(' | ')}`,
    );
    assert.ok(
      seen.some((d) => /about (a minute|\d+ min) left/.test(d)),
      `shows an estimate once there is a rate: ${seen.join(' | ')}`,
    );
    const done = await item(batchId);
    assert.equal(done?.contextValue, 'batch', 'completed: no longer pending');
    assert.doesNotMatch(done.description, /processing|queued/);
    assert.ok(
      done.children.length > 0 && done.children.every((c) => Number(c.description) > 0),
      'the status groups come from the last poll',
    );
    const polls = emulator.requests.filter((r) => r.path.endsWith(`/batch/${batchId}`));
    assert.ok(polls.length >= 10, `polled until completed (${polls.length} polls)`);
    const after = polls.length;
    await testingApi(api).poller.pollNow();
    assert.equal(
      emulator.requests.filter((r) => r.path.endsWith(`/batch/${batchId}`)).length,
      after,
      'a completed batch is no longer polled',
    );
  });

  it('stops following a batch Bouncer does not know, saying so once', async () => {
    const { seam } = testingApi(api);
    const shown = seam.shownErrors.length;
    await vscode.commands.executeCommand('bouncer.batches.follow', { batchId: 'no-such-batch-1' });
    await testingApi(api).poller.pollNow();
    await testingApi(api).poller.pollNow();
    const messages = seam.shownErrors.slice(shown).map((m) => m.text);
    assert.equal(messages.length, 1, messages.join(' | '));
    assert.match(messages[0], /does not exist/);
    const entry = await item('no-such-batch-1');
    assert.ok(entry && !/queued|processing/.test(entry.description), entry?.description);
  });

  /** Runs rounds until the batch is no longer pending (bounded), as the timer would. */
  async function pollUntilCompleted(batchId: string): Promise<void> {
    for (let round = 0; round < 10; round++) {
      await testingApi(api).poller.pollNow();
      if ((await item(batchId))?.contextValue.includes('pending') === false) return;
    }
    assert.fail(`batch ${batchId} did not complete`);
  }

  it('"Wait for It" on a batch not completed follows it with the shared poller, then opens its results', async () => {
    const batchId = 'pending-4';
    const { seam } = testingApi(api);
    seam.errorAnswers.push('Wait for It');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId })),
      /not completed/,
    );
    assert.equal(seam.errorAnswers.length, 0, 'the button was pressed');
    // The emulator completes it on the 4th status poll. The rounds asked for here reach it only
    // if the shared poller follows it (its own timer waits an hour); another waiter would not.
    const polls = () => emulator.requests.filter((r) => r.path.endsWith(`/batch/${batchId}`)).length;
    // The button's work runs after the rejection: wait for its first status request.
    while (polls() === 0) await new Promise((r) => setTimeout(r, 20));
    for (let round = 0; round < 10 && polls() < 4; round++) await testingApi(api).poller.pollNow();
    assert.ok(polls() >= 4, `the poller's rounds asked for its status (${polls()} polls)`);
    // Completed: the open that failed runs again and downloads the results.
    while ((await item(batchId))?.contextValue !== 'batch-cached') await new Promise((r) => setTimeout(r, 20));
  });

  it('follows a batch created from a CSV, writes its results back beside it, and verifies its unknown ones again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-follow-'));
    try {
      const source = path.join(dir, 'leads.csv');
      fs.writeFileSync(
        source,
        'Name,Email,Owner\n"Doe, Ann",deliverable.ann@x.io,me\nBob,unknown.bob@x.io,you\nCy,unknown.cy@x.io,"a, b"\n',
      );
      const created = await vscode.commands.executeCommand<{ batchIds: string[] }>('bouncer.verifyEmails', {
        uri: vscode.Uri.file(source).toString(),
      });
      const [first] = created.batchIds;
      assert.match((await item(first))?.description ?? '', /^(queued|processing)/, 'followed from creation');
      await pollUntilCompleted(first);

      const written = await vscode.commands.executeCommand<vscode.Uri>('bouncer.writeResultsBack', {
        batchId: first,
        source: vscode.Uri.file(source),
      });
      const lines = fs.readFileSync(written.fsPath, 'utf8').split('\n');
      assert.equal(lines[0], 'Name,Email,Owner,status,reason,score');
      assert.match(lines[1], /^"Doe, Ann",deliverable\.ann@x\.io,me,deliverable,/);
      assert.match(lines[3], /^Cy,unknown\.cy@x\.io,"a, b",unknown,/);

      const again = await vscode.commands.executeCommand<{ batchIds: string[] }>('bouncer.batches.verifyAgain', {
        batchId: first,
      });
      const [second] = again.batchIds;
      assert.deepEqual(
        emulator.createdBatch(second)?.entries.map((e) => e.email),
        ['unknown.bob@x.io', 'unknown.cy@x.io'],
        'only the unknown addresses are sent again',
      );
      assert.match((await item(second))?.contextValue ?? '', /-again/, 'linked to the first batch');
      await pollUntilCompleted(second);
      const diff = await vscode.commands.executeCommand<BatchDiff>('bouncer.batches.showChanges', {
        batchId: second,
        quiet: true,
      });
      assert.deepEqual(diff.unchanged, [{ from: 'unknown', to: 'unknown', count: 2 }]);
      assert.deepEqual(diff.changed, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
