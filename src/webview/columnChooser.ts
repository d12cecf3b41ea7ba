import { COLUMN_DEFS, type FlatColumn } from '../core/recordColumns';
import { ALL_COLUMNS } from '../model/columns';
import { button, el } from './dom';

/**
 * A popup listing every column with a checkbox (shown or not) and buttons to move it; the caller
 * persists the result.
 */
export class ColumnChooser {
  readonly element: HTMLDivElement;
  private readonly list = el('ul', { className: 'chooser-list', attrs: { role: 'list' } });
  private columns: FlatColumn[] = [];

  constructor(private readonly onChange: (columns: FlatColumn[]) => void) {
    this.element = el('div', { className: 'chooser', attrs: { role: 'dialog', 'aria-label': 'Columns' } }, [this.list]);
    this.element.hidden = true;
  }

  toggle(columns: FlatColumn[], hasName: boolean): void {
    this.element.hidden = !this.element.hidden;
    if (!this.element.hidden) this.render(columns, hasName);
  }

  private render(columns: FlatColumn[], hasName: boolean): void {
    this.columns = [...columns];
    const hidden = ALL_COLUMNS.filter((id) => !columns.includes(id) && (hasName || !COLUMN_DEFS[id].onlyWhenPresent));
    const rows = [...columns, ...hidden].map((id) => {
      const shown = this.columns.includes(id);
      const box = el('input', { attrs: { type: 'checkbox', 'aria-label': `Show ${COLUMN_DEFS[id].label}` } });
      box.checked = shown;
      box.addEventListener('change', () => {
        const next = box.checked ? [...this.columns, id] : this.columns.filter((c) => c !== id);
        if (next.length > 0) this.apply(next, hasName);
      });
      const move = (delta: number) => {
        const index = this.columns.indexOf(id);
        const target = index + delta;
        if (index < 0 || target < 0 || target >= this.columns.length) return;
        const next = [...this.columns];
        [next[index], next[target]] = [next[target], next[index]];
        this.apply(next, hasName);
      };
      return el('li', { className: 'chooser-item' }, [
        el('label', {}, [box, el('span', { text: COLUMN_DEFS[id].label })]),
        shown ? button(`Move ${COLUMN_DEFS[id].label} left`, 'chevron-up', () => move(-1), false) : undefined,
        shown ? button(`Move ${COLUMN_DEFS[id].label} right`, 'chevron-down', () => move(1), false) : undefined,
      ]);
    });
    this.list.replaceChildren(...rows);
  }

  private apply(columns: FlatColumn[], hasName: boolean): void {
    this.onChange(columns);
    this.render(columns, hasName);
  }
}
