import { type Workbench } from './driver';

/** Step sequences several cases share, written as a person would do them. */

/** F1 → "Bouncer: Set API Key" → type the key in the password box. */
export async function setApiKey(workbench: Workbench, key: string): Promise<void> {
  await workbench.runCommand('Bouncer: Set API Key');
  await workbench.typeInQuickInput(key, { expectPassword: true });
  await workbench.waitQuickInputClosed();
}

/**
 * The open prompt's first step: types the batch ID (or a link) and clicks the row for it, which is
 * "Open batch <id>" or, for a batch opened before, the recent batch itself.
 */
export async function enterBatch(workbench: Workbench, text: string, batchId = text): Promise<void> {
  await workbench.waitQuickInputTitle('Open Batch Results (1/');
  const id = batchId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await workbench.typeAndPick(text, new RegExp(`^\\s*(Open batch ${id}( \\(from the link\\))?|${id})\\s*$`));
}

/**
 * F1 → `command` (e.g. "Bouncer: Show Results Table") → batch → status filter → view, when the
 * command asks for one.
 */
export async function openBatch(
  workbench: Workbench,
  command: string,
  batchId: string,
  filterLabel = 'All results',
  viewLabel?: string,
): Promise<void> {
  await workbench.runCommand(command);
  await enterBatch(workbench, batchId);
  await workbench.pickQuickItem('Which results?', filterLabel);
  if (viewLabel) await workbench.pickQuickItem('Show results as', viewLabel);
  await workbench.waitQuickInputClosed();
}

/** F1 → "Bouncer: Open Batch Results as JSON" → batch ID → status filter. */
export function openBatchAsJson(workbench: Workbench, batchId: string, filterLabel = 'All results'): Promise<void> {
  return openBatch(workbench, 'Bouncer: Open Batch Results as JSON', batchId, filterLabel);
}
