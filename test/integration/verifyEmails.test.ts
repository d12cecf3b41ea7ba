import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningEmulator } from '../../emulator/server';
import type { BouncerExtensionApi } from '../../src/host/extension';
import { connectToEmulator, disconnectFromEmulator, testingApi } from './helpers';

// Creating, finishing and deleting batches by command argument, in a real extension host against
// the emulator over loopback: the forms other extensions and keybindings use, which ask nothing.
describe('Verify Emails, Finish Now, Delete from Bouncer (arguments)', function () {
  this.timeout(90_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;
  let dir: string;

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-verify-'));
  });

  after(async () => {
    await disconnectFromEmulator(emulator);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const verify = (arg: unknown): Thenable<{ batchIds: string[] } | undefined> =>
    vscode.commands.executeCommand<{ batchIds: string[] } | undefined>('bouncer.verifyEmails', arg);

  async function rejection(run: Thenable<unknown>): Promise<string> {
    try {
      await run;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    assert.fail('expected the command to reject');
  }

  it('{ emails, name } creates one batch, deduplicated, and lists it in the sidebar at once as pending', async () => {
    const result = await verify({ emails: ['ann@x.io', ' ANN@x.io', 'not an address', 'bo@y.io'], name: 'Q1 leads' });
    assert.ok(result, 'the command resolves to the created batches');
    assert.equal(result.batchIds.length, 1);
    const [batchId] = result.batchIds;
    assert.deepEqual(emulator.createdBatch(batchId)?.entries, [{ email: 'ann@x.io' }, { email: 'bo@y.io' }]);
    const listed = (await api.describeBatchesTree()).batches.find((b) => b.batchId === batchId);
    assert.ok(listed, 'the new batch is in the tree');
    assert.equal(listed.label, 'Q1 leads');
    assert.match(listed.contextValue, /^batch-pending/);
  });

  it('{ uri, column } reads that CSV column, names from its name column, and names the batch after the file', async () => {
    const file = path.join(dir, 'contacts.csv');
    fs.writeFileSync(
      file,
      '\uFEFFName,Personal Email,Work Email\r\n"Doe, Jane",jane@home.io,jane@work.io\r\n"Roe, Rick",rick@home.io,rick@work.io\r\n',
    );
    const result = await verify({ uri: vscode.Uri.file(file).toString(), column: 'Work Email' });
    assert.ok(result);
    const [batchId] = result.batchIds;
    assert.deepEqual(emulator.createdBatch(batchId)?.entries, [
      { email: 'jane@work.io', name: 'Doe, Jane' },
      { email: 'rick@work.io', name: 'Roe, Rick' },
    ]);
    const listed = (await api.describeBatchesTree()).batches.find((b) => b.batchId === batchId);
    assert.equal(listed?.label, 'contacts.csv');
  });

  it('rejects a CSV column that does not exist, naming the columns there are, and creates nothing', async () => {
    const file = path.join(dir, 'other.csv');
    fs.writeFileSync(file, 'email\na@x.io\n');
    const before = emulator.requests.length;
    const message = await rejection(verify({ uri: vscode.Uri.file(file).toString(), column: 'Mail 2' }));
    assert.match(message, /no column "Mail 2"\. Its columns: email/);
    assert.equal(emulator.requests.slice(before).filter((r) => r.method === 'POST').length, 0);
  });

  it('402: rejects saying how many credits are missing, and spends nothing', async () => {
    const { seam } = testingApi(api);
    emulator.credits = 1;
    try {
      const message = await rejection(verify({ emails: ['a@x.io', 'b@x.io', 'c@x.io'] }));
      assert.match(message, /lacks 2 credits/);
      assert.ok(
        seam.shownErrors.some((e) => /lacks 2 credits/.test(e.text)),
        'the person is told too',
      );
      assert.equal(emulator.credits, 1);
    } finally {
      emulator.credits = 1_000_000;
    }
  });

  it('finishBatch { batchId } asks nothing, resolves once Bouncer answered, and the batch is completed', async () => {
    const result = await verify({ emails: ['a@f.io', 'b@f.io', 'c@f.io', 'd@f.io'] });
    const [batchId] = result?.batchIds ?? [];
    await vscode.commands.executeCommand('bouncer.finishBatch', { batchId });
    assert.equal(emulator.createdBatch(batchId)?.status, 'completed');
    assert.equal(emulator.createdBatch(batchId)?.finished, true);
    const listed = (await api.describeBatchesTree()).batches.find((b) => b.batchId === batchId);
    assert.doesNotMatch(listed?.contextValue ?? '', /pending/, 'no longer pending in the tree');
  });

  it('deleteBatch { batchId } explains 405 while processing, then deletes once completed', async () => {
    const result = await verify({ emails: ['a@d.io', 'b@d.io', 'c@d.io', 'd@d.io'] });
    const [batchId] = result?.batchIds ?? [];
    const status = `/v1.1/email/verify/batch/${batchId}?with-stats=true`;
    const poll = async (): Promise<void> => {
      const response = await fetch(`${emulator.url}${status}`, { headers: { 'x-api-key': emulator.apiKey } });
      await response.text();
    };
    await poll();
    await poll(); // now processing
    const message = await rejection(vscode.commands.executeCommand('bouncer.deleteBatch', { batchId }));
    assert.match(
      message,
      /cannot delete batch .* while it is processing it \(HTTP 405 "cannot be deleted in current state"\)/,
    );
    assert.ok(emulator.createdBatch(batchId), 'still there');
    await poll(); // completed
    await vscode.commands.executeCommand('bouncer.deleteBatch', { batchId });
    assert.equal(emulator.createdBatch(batchId), undefined);
    const listed = (await api.describeBatchesTree()).batches.find((b) => b.batchId === batchId);
    assert.equal(listed, undefined, 'a batch with nothing downloaded leaves the list');
  });

  it('verifyEmail { email } checks one address in real time for a credit', async () => {
    const before = emulator.credits;
    const record = await vscode.commands.executeCommand<{ email: string; status: string }>('bouncer.verifyEmail', {
      email: 'risky.one@x.io',
    });
    assert.equal(record?.status, 'risky');
    assert.equal(emulator.credits, before - 1);
  });

  it('shows the credits left in the status bar, updated after a creation, and hides it without a key', async () => {
    const testing = testingApi(api);
    await verify({ emails: ['credit@x.io'] });
    const shown = await testing.describeCredits();
    assert.equal(shown.visible, true);
    assert.equal(shown.credits, emulator.credits);
    await vscode.commands.executeCommand('bouncer.clearApiKey');
    try {
      const hidden = await testing.describeCredits();
      assert.equal(hidden.visible, false);
    } finally {
      await vscode.commands.executeCommand('bouncer.setApiKey', emulator.apiKey);
    }
  });
});
