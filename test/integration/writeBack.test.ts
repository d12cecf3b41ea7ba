import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEMO_BATCH_ID } from '../../emulator/demoBatch';
import type { RunningEmulator } from '../../emulator/server';
import { connectToEmulator, disconnectFromEmulator } from './helpers';

// Write Results Back with arguments, in a real extension host, joining the emulator's demo batch
// (downloaded through the ordinary cache path) to a CSV on disk.
describe('Write Results Back', function () {
  this.timeout(90_000);
  let emulator: RunningEmulator;
  let dir: string;

  before(async () => {
    ({ emulator } = await connectToEmulator());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-writeback-'));
  });

  after(async () => {
    await disconnectFromEmulator(emulator);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes contacts.verified.csv with the original columns and rows, then status, reason, score', async () => {
    const source = path.join(dir, 'contacts.csv');
    const original =
      'id,"Name, Full",Email,notes\r\n' +
      '1,"Acme, Sales",SALES@acme-corp.com,"likes ""quotes"", commas"\r\n' +
      '2,Minimal,minimal@example.com,\r\n' +
      '3,Again,sales@acme-corp.com,dup\r\n' +
      '4,Nobody,,none\r\n' +
      '5,Stranger,stranger@elsewhere.example,absent\r\n';
    fs.writeFileSync(source, original);

    const written = await vscode.commands.executeCommand<vscode.Uri>('bouncer.writeResultsBack', {
      batchId: DEMO_BATCH_ID,
      source: vscode.Uri.file(source),
    });
    assert.ok(written instanceof vscode.Uri, 'resolves to the new file');
    assert.equal(written.fsPath, path.join(dir, 'contacts.verified.csv'));
    assert.equal(fs.readFileSync(source, 'utf8'), original, 'the source is untouched');
    assert.deepEqual(fs.readFileSync(written.fsPath, 'utf8').split('\r\n'), [
      'id,"Name, Full",Email,notes,status,reason,score',
      '1,"Acme, Sales",SALES@acme-corp.com,"likes ""quotes"", commas",risky,low_quality,40',
      '2,Minimal,minimal@example.com,,deliverable,accepted_email,',
      '3,Again,sales@acme-corp.com,dup,duplicate,,',
      '4,Nobody,,none,missing,,',
      '5,Stranger,stranger@elsewhere.example,absent,not verified,,',
      '',
    ]);
  });

  it('writes only the deliverable rows with chosen columns, and replaces its earlier output', async () => {
    const source = path.join(dir, 'list.csv');
    fs.writeFileSync(source, 'email;city\nminimal@example.com;Oslo\nsales@acme-corp.com;Bergen\n');
    const target = path.join(dir, 'list.deliverable.csv');
    fs.writeFileSync(target, 'stale');
    const written = await vscode.commands.executeCommand<vscode.Uri>('bouncer.writeDeliverableBack', {
      batchId: DEMO_BATCH_ID,
      source: vscode.Uri.file(source),
      columns: ['status', 'domain.name'],
    });
    assert.equal(written.fsPath, target);
    assert.equal(
      fs.readFileSync(target, 'utf8'),
      'email;city;status;domain.name\nminimal@example.com;Oslo;deliverable;\n',
    );
  });

  it('refuses unknown columns without writing anything', async () => {
    const source = path.join(dir, 'other.csv');
    fs.writeFileSync(source, 'email\nminimal@example.com\n');
    await vscode.commands.executeCommand('bouncer.writeResultsBack', {
      batchId: DEMO_BATCH_ID,
      source: vscode.Uri.file(source),
      columns: ['nope'],
    });
    assert.equal(fs.existsSync(path.join(dir, 'other.verified.csv')), false);
  });
});
