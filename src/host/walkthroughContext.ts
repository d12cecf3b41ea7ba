import * as vscode from 'vscode';
import { isLoopbackHost } from '../core/apiOrigin';
import { apiTargetIfUsable } from './apiTarget';

/**
 * Context keys the "Get started" walkthrough (package.json `walkthroughs`) reads: its steps are done
 * when the thing really happened, not when a button was clicked. VS Code remembers a step once done.
 */
export const WalkthroughKey = {
  /** `bouncer.apiBaseUrl` points at this machine (the emulator): the demo batch is offered. */
  apiIsLoopback: 'bouncer.apiIsLoopback',
  /** A batch was opened and shown in some view. */
  openedBatch: 'bouncer.walkthrough.openedBatch',
  /** Rows were exported or copied from the table, after filtering and sorting them there. */
  usedTable: 'bouncer.walkthrough.usedTable',
} as const;

export function markWalkthroughStep(key: typeof WalkthroughKey.openedBatch | typeof WalkthroughKey.usedTable): void {
  void vscode.commands.executeCommand('setContext', key, true);
}

/** Sets `bouncer.apiIsLoopback` from the setting; call on start and when the setting changes. */
export function refreshApiContext(): void {
  const origin = apiTargetIfUsable()?.origin;
  const loopback = origin !== undefined && isLoopbackHost(new URL(origin).hostname);
  void vscode.commands.executeCommand('setContext', WalkthroughKey.apiIsLoopback, loopback);
}
