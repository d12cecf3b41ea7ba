import { button, el } from './dom';

export interface ToolbarActions {
  columns(): void;
  copy(what: 'csv' | 'emails'): void;
  exportView(format: 'csv' | 'json', target: 'file' | 'tab'): void;
}

/** The row of buttons above the table: columns, copy, export. */
export function toolbar(actions: ToolbarActions): HTMLElement {
  return el('div', { className: 'actions' }, [
    button('Columns', 'settings-gear', () => actions.columns()),
    button('Copy CSV', 'copy', () => actions.copy('csv')),
    button('Copy emails', 'mail', () => actions.copy('emails')),
    button('Export CSV…', 'save', () => actions.exportView('csv', 'file')),
    button('Export JSON…', 'json', () => actions.exportView('json', 'file')),
    button('Open view as CSV', 'go-to-file', () => actions.exportView('csv', 'tab')),
    button('Open view as JSON', 'new-file', () => actions.exportView('json', 'tab')),
  ]);
}
