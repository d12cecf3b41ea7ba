import { ALL_COLUMNS } from '../model/columns';
import { extraColumnIds, type ColumnId, type ResultsStore } from '../model/store';
import type { ColumnFilter } from '../model/filter';
import { el, icon } from './dom';
import { columnLabel } from './gridHeader';
import { t } from './l10n';

export interface ColumnFilterEvents {
  onChange(filters: ColumnFilter[]): void;
}

/** How a chip reads: "Email contains gmail", "Status = risky", "Status ≠ risky". */
export function describeColumnFilter(filter: ColumnFilter): string {
  const label = columnLabel(filter.column);
  const equals = filter.text.startsWith('=');
  const value = equals ? filter.text.slice(1) : filter.text;
  if (filter.exclude) return equals ? t('{0} ≠ {1}', label, value) : t('{0} does not contain {1}', label, value);
  return equals ? t('{0} = {1}', label, value) : t('{0} contains {1}', label, value);
}

/**
 * Per-column text filters: a form (column, text: "abc" contains, "=abc" equals) and one removable chip
 * per filter in force. The chips sit in the filter bar; the form lives in the filter popover.
 */
export class ColumnFiltersView {
  readonly chips = el('div', {
    className: 'column-filter-chips',
    attrs: { role: 'group', 'aria-label': t('Column filters') },
  });
  readonly form: HTMLElement;
  private readonly column = el('select', { className: 'column-filter-column', attrs: { 'aria-label': t('Column') } });
  private readonly text = el('input', {
    className: 'column-filter-text',
    attrs: {
      type: 'text',
      spellcheck: 'false',
      placeholder: t('contains… or =value'),
      'aria-label': t('Column filter text: contains, or = for equals'),
    },
  });
  private filters: ColumnFilter[] = [];

  constructor(private readonly events: ColumnFilterEvents) {
    this.setColumns([]);
    this.text.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      this.addFromForm();
    });
    const add = el('button', { className: 'btn', text: t('Add'), attrs: { type: 'button' } });
    add.addEventListener('click', () => this.addFromForm());
    this.form = el('div', { className: 'column-filter-form' }, [
      el('span', { className: 'chips-label', text: t('Column') }),
      this.column,
      this.text,
      add,
    ]);
  }

  /** Shows the filters in force (after any change, restore or clear) without firing events. */
  show(filters: readonly ColumnFilter[] | undefined): void {
    this.filters = [...(filters ?? [])];
    this.chips.replaceChildren(
      ...this.filters.map((filter, index) => {
        const text = describeColumnFilter(filter);
        const remove = el(
          'button',
          {
            className: 'chip-remove',
            title: t('Remove filter {0}', text),
            attrs: { type: 'button', 'aria-label': t('Remove filter {0}', text) },
          },
          [icon('close')],
        );
        remove.addEventListener('click', () => this.events.onChange(this.filters.filter((_, i) => i !== index)));
        return el('span', { className: 'chip column-filter', attrs: { 'data-column': filter.column } }, [
          el('span', { text }),
          remove,
        ]);
      }),
    );
  }

  /** Adds (or replaces the same column's same-kind) filter. */
  add(filter: ColumnFilter): void {
    if (filter.text === '') return;
    // A column has one "keep" filter (a new one replaces it) but may exclude several values.
    const rest = this.filters.filter((f) => !(f.column === filter.column && !f.exclude && !filter.exclude));
    this.events.onChange([...rest, filter]);
  }

  /** Offers the record's columns and the store's extra ones, after its labels are in use. */
  setStore(store: ResultsStore): void {
    this.setColumns(extraColumnIds(store));
  }

  private setColumns(extra: readonly ColumnId[]): void {
    const picked = this.column.value;
    this.column.replaceChildren(
      ...[...ALL_COLUMNS, ...extra].map((id) => el('option', { text: columnLabel(id), attrs: { value: id } })),
    );
    if ([...this.column.options].some((option) => option.value === picked)) this.column.value = picked;
  }

  /** Points the form at a column and focuses its text (from a header, via the keyboard). */
  focusForm(column: ColumnId): void {
    this.column.value = column;
    this.text.focus();
  }

  private addFromForm(): void {
    const column = this.column.value;
    // Only a column the form offers: the select's value is the page's own, but stays checked.
    if (![...this.column.options].some((option) => option.value === column) || this.text.value === '') return;
    this.add({ column: column as ColumnId, text: this.text.value });
    this.text.value = '';
  }
}
