import { FLAG_COLUMNS, type FlagColumn } from '../core/recordColumns';
import type { ColumnFilter, FilterState } from '../model/filter';
import type { ResultsStore } from '../model/store';
import { ColumnFiltersView } from './columnFilters';
import { button, el, icon } from './dom';
import { columnLabel } from './gridHeader';
import { t } from './l10n';

export interface FiltersBarEvents {
  onSearch(text: string): void;
  onScore(min: number | undefined, max: number | undefined): void;
  onFlag(column: FlagColumn, value: string | undefined): void;
  onColumns(filters: ColumnFilter[]): void;
  onClear(): void;
}

/**
 * One compact bar: the search box (always visible), a "Filters" popover holding the reason chips,
 * score range, flag selects and the per-column filter form, the chips of the column filters in force,
 * and Clear. Status filtering lives in the summary bar.
 */
export class FiltersBar {
  readonly element: HTMLDivElement;
  readonly search: HTMLInputElement;
  /** Reason chips: rendered by the app with faceted counts. */
  readonly reasonChips = el('div', { className: 'chips', attrs: { role: 'group', 'aria-label': t('Reason filter') } });
  readonly columnFilters: ColumnFiltersView;
  private readonly popover: HTMLDetailsElement;
  private readonly badge = el('span', { className: 'badge' });
  private readonly scoreMin: HTMLInputElement;
  private readonly scoreMax: HTMLInputElement;
  private readonly flags = el('div', { className: 'flags' });
  private readonly selects = new Map<FlagColumn, HTMLSelectElement>();

  constructor(private readonly events: FiltersBarEvents) {
    const searchLabel = t('Search email, domain, provider');
    this.search = el('input', {
      className: 'search',
      attrs: { type: 'search', placeholder: searchLabel, 'aria-label': searchLabel, spellcheck: 'false' },
    });
    this.search.addEventListener('input', () => events.onSearch(this.search.value));
    const number = (label: string) => {
      const input = el('input', {
        className: 'score',
        attrs: { type: 'number', min: '0', max: '100', placeholder: label, 'aria-label': t('Score {0}', label) },
      });
      input.addEventListener('change', () => events.onScore(this.read(this.scoreMin), this.read(this.scoreMax)));
      return input;
    };
    this.scoreMin = number(t('min'));
    this.scoreMax = number(t('max'));
    this.columnFilters = new ColumnFiltersView({ onChange: (filters) => events.onColumns(filters) });
    this.popover = el('details', { className: 'more-filters' }, [
      el('summary', { className: 'btn', attrs: { 'aria-label': t('Filters') } }, [
        icon('filter'),
        el('span', { text: t('Filters') }),
        this.badge,
      ]),
      el('div', { className: 'popover', attrs: { role: 'group', 'aria-label': t('Filters') } }, [
        this.reasonChips,
        el('div', { className: 'popover-row' }, [
          el('span', { className: 'score-range' }, [
            el('span', { className: 'chips-label', text: t('Score') }),
            this.scoreMin,
            el('span', { text: '–' }),
            this.scoreMax,
          ]),
          this.flags,
        ]),
        this.columnFilters.form,
      ]),
    ]);
    this.popover.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.popover.open) return;
      event.stopPropagation();
      this.popover.open = false;
      (this.popover.querySelector('summary') as HTMLElement).focus();
    });
    this.element = el('div', { className: 'filters' }, [
      el('label', { className: 'search-box' }, [icon('search'), this.search]),
      this.popover,
      this.columnFilters.chips,
      button(t('Clear filters'), 'clear-all', () => events.onClear(), false),
    ]);
  }

  private read(input: HTMLInputElement): number | undefined {
    return input.value.trim() === '' || !Number.isFinite(input.valueAsNumber) ? undefined : input.valueAsNumber;
  }

  /** Builds the flag selects from the values present in the store. */
  setStore(store: ResultsStore): void {
    this.columnFilters.setStore(store);
    this.selects.clear();
    this.flags.replaceChildren(
      ...FLAG_COLUMNS.map((id) => {
        const select = el('select', { attrs: { 'aria-label': columnLabel(id) } });
        select.append(el('option', { text: t('any'), attrs: { value: '' } }));
        for (const value of store.dict[id].values.slice(1)) {
          select.append(el('option', { text: value, attrs: { value: `=${value}` } }));
        }
        select.addEventListener('change', () =>
          this.events.onFlag(id, select.value === '' ? undefined : select.value.slice(1)),
        );
        this.selects.set(id, select);
        return el('label', { className: 'flag' }, [el('span', { text: columnLabel(id) }), select]);
      }),
    );
  }

  /** Shows a filter state (after restore, change or clear) without firing events. */
  show(filter: FilterState): void {
    if (this.search.value !== filter.search) this.search.value = filter.search;
    this.scoreMin.value = filter.scoreMin === undefined ? '' : String(filter.scoreMin);
    this.scoreMax.value = filter.scoreMax === undefined ? '' : String(filter.scoreMax);
    for (const [id, select] of this.selects) {
      const value = filter.flags[id];
      select.value = value === undefined ? '' : `=${value}`;
    }
    this.columnFilters.show(filter.columns);
    // How many filters hide inside the popover, so a closed popover still says that some apply.
    const hidden =
      filter.reasons.length +
      Object.keys(filter.flags).length +
      (filter.scoreMin !== undefined || filter.scoreMax !== undefined ? 1 : 0);
    this.badge.textContent = hidden > 0 ? String(hidden) : '';
    this.badge.hidden = hidden === 0;
  }
}
