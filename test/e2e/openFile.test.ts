import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateRecords } from '../../emulator/generateRecords';
import { csvHeader, csvRow } from '../../emulator/serverCsv';
import { e2e } from './session';

// Issue 11 as a person meets it: Bouncer files in the workspace, opened from the Explorer's context
// menu with "Open in Bouncer Results Table". Expected rows come from the generated records, never
// from what the table shows.

const ROWS = 40;
const RECORDS = [...generateRecords(ROWS, 7)];
const MENU_ENTRY = 'Open in Bouncer Results Table';

/** The table's documented email order: ASCII case folded, then UTF-8 byte order. */
function compareEmails(a: string, b: string): number {
  const fold = (s: string) =>
    Buffer.from(
      s.replace(/[A-Z]/g, (c) => c.toLowerCase()),
      'utf8',
    );
  return Buffer.compare(fold(a), fold(b));
}

describe('Open in Bouncer Results Table from the Explorer (issue 11)', () => {
  before(async () => {
    const { workbench, sandbox } = e2e();
    fs.writeFileSync(path.join(sandbox.workspaceDir, 'bouncer-export.csv'), csvHeader() + RECORDS.map(csvRow).join(''));
    fs.writeFileSync(path.join(sandbox.workspaceDir, 'bouncer-export.json'), JSON.stringify(RECORDS, null, 2));
    fs.writeFileSync(path.join(sandbox.workspaceDir, 'people.csv'), 'id,name,city\r\n1,Ann,Oslo\r\n2,Bo,Rome\r\n');
    await workbench.closeAllEditors();
    await workbench.runCommand('View: Show Explorer');
  });

  after(async () => {
    await e2e().workbench.closeAllEditors();
  });

  for (const file of ['bouncer-export.csv', 'bouncer-export.json']) {
    it(`shows every row of ${file} and sorts it by email`, async () => {
      const { workbench } = e2e();
      await workbench.contextMenu(workbench.treeItem(file), MENU_ENTRY);
      const table = workbench.resultsTable();
      await table.grid.waitFor({ timeout: 30_000 });
      await table.waitForRowCount(ROWS, ROWS);
      const fileOrder = await table.column('Email');
      assert.ok(fileOrder.length > 0, 'rows are on screen');
      assert.deepEqual(
        fileOrder,
        RECORDS.slice(0, fileOrder.length).map((r) => r.email),
      );

      await table.columnHeader('Email').click();
      await table.statusLine.filter({ hasText: 'sorted by email ↑' }).waitFor({ timeout: 30_000 });
      const sorted = RECORDS.map((r) => r.email).sort(compareEmails);
      const shown = await table.column('Email');
      assert.deepEqual(shown, sorted.slice(0, shown.length));
      await workbench.screenshot(`file-table-${file}-sorted`);
      await workbench.closeAllEditors();
    });
  }

  it('comes back after a window reload with its rows and sort', async () => {
    const { workbench } = e2e();
    await workbench.contextMenu(workbench.treeItem('bouncer-export.csv'), MENU_ENTRY);
    const table = workbench.resultsTable();
    await table.waitForRowCount(ROWS, ROWS);
    const header = table.columnHeader('Email');
    await header.click();
    await table.statusLine.filter({ hasText: 'sorted by email ↑' }).waitFor({ timeout: 30_000 });
    await header.click();
    await table.statusLine.filter({ hasText: 'sorted by email ↓' }).waitFor({ timeout: 30_000 });
    const before = await table.column('Email');
    assert.deepEqual(before, [...RECORDS.map((r) => r.email).sort(compareEmails)].reverse().slice(0, before.length));

    await workbench.reloadWindow('Bouncer: Open in Bouncer Results Table');
    const restored = workbench.resultsTable();
    await restored.grid.waitFor({ timeout: 60_000 });
    await restored.waitForRowCount(ROWS, ROWS);
    assert.equal(await restored.columnHeader('Email').getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await restored.column('Email'), before);
    await workbench.screenshot('file-table-restored-after-reload');
    await workbench.closeAllEditors();
  });

  it('says in one sentence that a CSV without an email column is not Bouncer results', async () => {
    const { workbench } = e2e();
    await workbench.contextMenu(workbench.treeItem('people.csv'), MENU_ENTRY);
    const message = workbench.webviewFrame().getByRole('alert');
    await message.waitFor({ timeout: 30_000 });
    assert.match((await message.textContent()) ?? '', /not Bouncer results/);
    assert.equal(await workbench.webviewFrame().getByRole('grid').count(), 0, 'no table, only the sentence');
    await workbench.screenshot('file-table-not-bouncer');
    await workbench.closeAllEditors();
  });
});
