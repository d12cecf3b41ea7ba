import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningEmulator } from '../../emulator/server';
import { PART_SUFFIX } from '../../src/core/atomicFile';
import { batchDirName } from '../../src/core/cacheLayout';
import type { BouncerExtensionApi } from '../../src/host/extension';
import { closeAllEditors, connectToEmulator, disconnectFromEmulator, listFiles } from './helpers';

// Hostile sizes and waits, through the real commands and settings in an extension host,
// against the emulator over loopback: what the person reads, and what stays on disk.
describe('Download limits', function () {
  this.timeout(90_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;

  const setMaxSizeMB = (value: number | undefined): Thenable<void> =>
    vscode.workspace.getConfiguration('bouncer').update('download.maxSizeMB', value, vscode.ConfigurationTarget.Global);

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
  });

  after(async () => {
    await setMaxSizeMB(undefined);
    await disconnectFromEmulator(emulator);
  });

  afterEach(closeAllEditors);

  it('stops a refresh past bouncer.download.maxSizeMB, says how to go on, and keeps the cached results', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'gen-4000' });
    const originKey = api.currentOriginKey();
    assert.ok(originKey);
    const file = path.join(api.cacheRoot, originKey, batchDirName('gen-4000'), 'all.json');
    const before = fs.readFileSync(file);
    assert.ok(before.length > 1024 * 1024, 'the batch is larger than the limit about to be set');

    await setMaxSizeMB(1);
    try {
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'gen-4000', refresh: true }),
        ),
        /larger than the 1\.0 MB download size limit.*raise "bouncer\.download\.maxSizeMB"/,
      );
      assert.deepEqual(fs.readFileSync(file), before, 'the cached file is untouched');
      assert.deepEqual(
        listFiles(path.dirname(file)).filter((f) => f.endsWith(PART_SUFFIX)),
        [],
        'no .part file is left',
      );
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'fault-gzip-bomb' })),
        /compressed download expands to more than the 1\.0 MB/,
      );
      assert.deepEqual(
        listFiles(api.cacheRoot).filter((f) => f.includes('fault-gzip-bomb')),
        [],
      );
    } finally {
      await setMaxSizeMB(undefined);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('says how long Bouncer asks to wait instead of retrying for it', async () => {
    const from = emulator.requests.length;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'fault-429-long' })),
      /asks to wait 60 min\. Try again after \S/,
    );
    assert.equal(emulator.requests.length - from, 1, 'one request, no retries');
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
