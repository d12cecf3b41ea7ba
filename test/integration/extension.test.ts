import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'bouncer-results.bouncer-results';

interface ContributedCommand {
  command: string;
}

// Proves the harness itself: the extension under development is loaded into a real extension host,
// activates, and every command its manifest contributes is really registered.
describe('extension host', () => {
  it('loads the extension under development', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  });

  it('activates and registers every contributed command', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    assert.equal(extension.isActive, true);

    const contributed = (extension.packageJSON.contributes.commands as ContributedCommand[]).map((c) => c.command);
    assert.ok(contributed.includes('bouncer.openResultsAsJson'), 'manifest lost its commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'contributed but not registered');
  });

  it('registers no command the manifest does not contribute', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    const contributed = new Set(
      (extension.packageJSON.contributes.commands as ContributedCommand[]).map((c) => c.command),
    );
    // VS Code itself adds these for each contributed view.
    const viewCommands = (extension.packageJSON.contributes.views.bouncer as { id: string }[]).flatMap((v) =>
      ['open', 'focus', 'resetViewLocation', 'toggleVisibility', 'removeView'].map((verb) => `${v.id}.${verb}`),
    );
    const unlisted = (await vscode.commands.getCommands(true)).filter(
      (id) => id.startsWith('bouncer.') && !contributed.has(id) && !viewCommands.includes(id),
    );
    assert.deepEqual(unlisted, [], 'registered but missing from contributes.commands');
  });
});
