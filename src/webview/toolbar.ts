import { button, el } from './dom';
import { t } from './l10n';

export interface ToolbarActions {
  columns(): void;
  copy(what: 'csv' | 'emails'): void;
  exportView(format: 'csv' | 'json', target: 'file' | 'tab'): void;
}

/** Icon buttons at the end of the filter bar: columns, copy, export (labels in their tooltips). */
export function toolbar(actions: ToolbarActions): HTMLElement {
  return el('div', { className: 'actions', attrs: { role: 'toolbar', 'aria-label': t('Table actions') } }, [
    button(t('Columns'), 'settings-gear', () => actions.columns(), false),
    button(t('Copy CSV'), 'copy', () => actions.copy('csv'), false),
    button(t('Copy emails'), 'mail', () => actions.copy('emails'), false),
    button(t('Export CSV…'), 'save', () => actions.exportView('csv', 'file'), false),
    button(t('Export JSON…'), 'json', () => actions.exportView('json', 'file'), false),
    button(t('Open view as CSV'), 'go-to-file', () => actions.exportView('csv', 'tab'), false),
    button(t('Open view as JSON'), 'new-file', () => actions.exportView('json', 'tab'), false),
  ]);
}
