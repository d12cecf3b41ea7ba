import { scriptStarted } from './startMark';
import { parseHostMessage, parseUiState } from '../shared/protocol';
import { TableApp } from './app';
import { vscodeApi } from './vscodeApi';

const api = vscodeApi();
const app = new TableApp(api, parseUiState(api.getState()));

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  // Anything that is not a well-formed host message is dropped, never half-handled.
  if (!message) {
    console.warn('bouncer results: ignored a malformed message');
    return;
  }
  app.handle(message);
});

api.postMessage({ type: 'ready', scriptMs: performance.now() - scriptStarted });
