import { e2e } from './session';
import { enterBatch, setApiKey } from './flows';

// Proves the webview route of the driver (two nested frames) against the real results table; the
// table and sidebar issues add their click-through cases beside this one.
describe('Results table webview', () => {
  it('opens demo-small as a table whose rows are reachable through webviewFrame()', async () => {
    const { workbench, emulator } = e2e();
    await setApiKey(workbench, emulator.apiKey);
    await workbench.clearNotifications();
    await workbench.runCommand('Bouncer: Open Batch Results…');
    await enterBatch(workbench, 'demo-small');
    await workbench.pickQuickItem('Which results?', 'All results');
    await workbench.pickQuickItem('Show results as', 'Table');
    const table = workbench.webviewFrame();
    await table.getByRole('grid', { name: 'Results' }).waitFor({ timeout: 30_000 });
    await table
      .getByRole('gridcell', { name: 'john@usebouncer.com', exact: true })
      .first()
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('demo-small-table');
    await workbench.closeAllEditors();
  });
});
