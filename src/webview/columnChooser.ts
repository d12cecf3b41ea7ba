import { COLUMN_DEFS } from '../core/recordColumns';
import { ALL_COLUMNS } from '../model/columns';
import { extraColumnIds, type ColumnId, type ResultsStore } from '../model/store';
import { button, el } from './dom';
import { columnLabel } from './gridHeader';
import { t } from './l10n';

/**
 * A popup listing every column with a checkbox (shown or not) and buttons to move it; the caller
 * persists the result.
 */
export class ColumnChooser {
  readonly element: HTMLDivElement;
  private readonly list = el('ul', { className: 'chooser-list', attrs: { role: 'list' } });
  private columns: ColumnId[] = [];

  constructor(private readonly onChange: (columns: ColumnId[]) => void) {
    this.element = el('div', { className: 'chooser', attrs: { role: 'dialog', 'aria-label': t('Columns') } }, [
      this.list,
    ]);
    this.element.hidden = true;
  }

  toggle(columns: ColumnId[], store: ResultsStore): void {
    this.element.hidden = !this.element.hidden;
    if (!this.element.hidden) this.render(columns, store);
  }

  private render(columns: ColumnId[], store: ResultsStore): void {
    this.columns = [...columns];
    const offered = [
      ...ALL_COLUMNS.filter((id) => store.hasName || !COLUMN_DEFS[id].onlyWhenPresent),
      ...extraColumnIds(store),
    ];
    const hidden = offered.filter((id) => !columns.includes(id));
    const rows = [...columns, ...hidden].map((id) => {
      const shown = this.columns.includes(id);
      const box = el('input', { attrs: { type: 'checkbox', 'aria-label': t('Show {0}', columnLabel(id)) } });
      box.checked = shown;
      box.addEventListener('change', () => {
        const next = box.checked ? [...this.columns, id] : this.columns.filter((c) => c !== id);
        if (next.length > 0) this.apply(next, store);
      });
      const move = (delta: number) => {
        const index = this.columns.indexOf(id);
        const target = index + delta;
        if (index < 0 || target < 0 || target >= this.columns.length) return;
        const next = [...this.columns];
        [next[index], next[target]] = [next[target], next[index]];
        this.apply(next, store);
      };
      return el('li', { className: 'chooser-item' }, [
        el('label', {}, [box, el('span', { text: columnLabel(id) })]),
        shown ? button(t('Move {0} left', columnLabel(id)), 'chevron-up', () => move(-1), false) : undefined,
        shown ? button(t('Move {0} right', columnLabel(id)), 'chevron-down', () => move(1), false) : undefined,
      ]);
    });
    this.list.replaceChildren(...rows);
  }

  private apply(columns: ColumnId[], store: ResultsStore): void {
    this.onChange(columns);
    this.render(columns, store);
  }
}
