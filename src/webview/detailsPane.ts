import { recordAt } from '../model/rowRecord';
import type { ResultsStore } from '../model/store';
import { button, el, formatCount } from './dom';
import { t } from './l10n';

/** The pane under the table that shows one row's whole record as JSON (Enter or double-click). */
export class DetailsPane {
  readonly element = el('div', {
    className: 'details',
    attrs: { role: 'region', 'aria-label': t('Row details') },
  });

  constructor(private readonly onClose: () => void) {
    this.element.hidden = true;
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  show(store: ResultsStore, row: number): void {
    const close = button(
      t('Close details'),
      'close',
      () => {
        this.hide();
        this.onClose();
      },
      false,
    );
    const json = JSON.stringify(recordAt(store, row), null, 2);
    this.element.replaceChildren(
      el('div', { className: 'details-head' }, [
        el('span', { text: t('Row {0} of the batch', formatCount(row + 1)) }),
        close,
      ]),
      el('pre', { className: 'details-json', text: json }),
    );
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
