import { scriptStarted } from './startMark';
import { parseHostMessage, parseUiState, type HostMessage } from '../shared/protocol';
import { TableApp } from './app';
import { configureL10n } from './l10n';
import { RowsInbox } from './rowsInbox';
import { fetchStore } from './storeFetch';
import { vscodeApi } from './vscodeApi';

const api = vscodeApi();
const saved = parseUiState(api.getState());
/** Built when `init` arrives: every string it shows needs the translations `init` brings. */
let app: TableApp | undefined;
const early: HostMessage[] = [];

const rows = new RowsInbox(fetchStore, deliver, (url) => api.postMessage({ type: 'dataUrlFailed', url }));

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  // Anything that is not a well-formed host message is dropped, never half-handled.
  if (!message) {
    console.warn('bouncer results: ignored a malformed message');
    return;
  }
  if (!rows.take(message)) deliver(message);
});

function deliver(message: HostMessage): void {
  if (!app && message.type === 'init') {
    configureL10n(message.l10n, message.language);
    app = new TableApp(api, saved);
    for (const waiting of early.splice(0)) app.handle(waiting);
  }
  if (app) app.handle(message);
  else early.push(message);
}

api.postMessage({ type: 'ready', scriptMs: performance.now() - scriptStarted });
