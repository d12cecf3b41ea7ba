import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import type { BouncerExtensionApi } from '../../src/host/extension';

export const EXTENSION_ID = 'bouncer-results.bouncer-results';

export async function activateExtension(): Promise<BouncerExtensionApi> {
  const extension = vscode.extensions.getExtension<BouncerExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`Extension ${EXTENSION_ID} is not installed in this host`);
  return extension.activate();
}

/** Points the extension at a server; application-scoped, so it goes to user settings. */
export async function useApiBaseUrl(url: string): Promise<void> {
  await vscode.workspace.getConfiguration('bouncer').update('apiBaseUrl', url, vscode.ConfigurationTarget.Global);
}

/** Closes every editor, discarding untitled results tabs (a plain close would ask to save them). */
export async function closeAllEditors(): Promise<void> {
  for (let i = 0; i < 100 && vscode.window.tabGroups.all.some((g) => g.tabs.length > 0); i++) {
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

/** Every file below `dir` (empty when it does not exist). */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

/** Starts a fresh emulator, activates the extension, points it at the emulator and sets the key. */
export async function connectToEmulator(): Promise<{ emulator: RunningEmulator; api: BouncerExtensionApi }> {
  const emulator = await startEmulator({ port: 0 });
  const api = await activateExtension();
  await useApiBaseUrl(emulator.url);
  await vscode.commands.executeCommand('bouncer.setApiKey', emulator.apiKey);
  return { emulator, api };
}

/**
 * Undoes {@link connectToEmulator} at the end of a suite: no notification or editor of this suite is
 * left for the next one to trip over, and the emulator stops.
 */
export async function disconnectFromEmulator(emulator: RunningEmulator | undefined): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await closeAllEditors();
  await emulator?.close();
}

/** The test seam and panel snapshots, present because VS Code runs the extension in test mode. */
export function testingApi(api: BouncerExtensionApi): NonNullable<BouncerExtensionApi['testing']> {
  if (!api.testing) throw new Error('The extension exposes no testing API: is the host running in test mode?');
  return api.testing;
}

/** Sets a key by command argument, answering "Replace" to the question a different stored key raises. */
export async function replaceApiKey(api: BouncerExtensionApi, key: string): Promise<void> {
  const { seam } = testingApi(api);
  seam.replaceApiKeyAnswer = true;
  try {
    await vscode.commands.executeCommand('bouncer.setApiKey', key);
  } finally {
    seam.replaceApiKeyAnswer = undefined;
  }
}
