import { type Workbench } from './driver';

/** Step sequences several cases share, written as a person would do them. */

/** F1 → "Bouncer: Set API Key" → type the key in the password box. */
export async function setApiKey(workbench: Workbench, key: string): Promise<void> {
  await workbench.runCommand('Bouncer: Set API Key');
  await workbench.typeInQuickInput(key, { expectPassword: true });
  await workbench.waitQuickInputClosed();
}

/** F1 → "Bouncer: Open Batch Results as JSON" → batch ID → status filter. */
export async function openBatchAsJson(
  workbench: Workbench,
  batchId: string,
  filterLabel = 'All results',
): Promise<void> {
  await workbench.runCommand('Bouncer: Open Batch Results as JSON');
  await workbench.typeInQuickInput(batchId);
  await workbench.pickQuickItem('Which results?', filterLabel);
  await workbench.waitQuickInputClosed();
}
