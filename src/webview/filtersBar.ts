import { COLUMN_DEFS, FLAG_COLUMNS, type FlagColumn } from '../core/recordColumns';
import type { FilterState } from '../model/filter';
import type { ResultsStore } from '../model/store';
import { button, el, icon } from './dom';

export interface FiltersBarEvents {
  onSearch(text: string): void;
  onScore(min: number | undefined, max: number | undefined): void;
  onFlag(column: FlagColumn, value: string | undefined): void;
  onClear(): void;
}

/** Search box, score range and the yes/no/unknown flag selects. */
export class FiltersBar {
  readonly element: HTMLDivElement;
  readonly search: HTMLInputElement;
  private readonly scoreMin: HTMLInputElement;
  private readonly scoreMax: HTMLInputElement;
  private readonly flags = el('div', { className: 'flags' });
  private readonly selects = new Map<FlagColumn, HTMLSelectElement>();

  constructor(private readonly events: FiltersBarEvents) {
    this.search = el('input', {
      className: 'search',
      attrs: {
        type: 'search',
        placeholder: 'Search email, domain, provider',
        'aria-label': 'Search email, domain, provider',
        spellcheck: 'false',
      },
    });
    this.search.addEventListener('input', () => events.onSearch(this.search.value));
    const number = (label: string) => {
      const input = el('input', {
        className: 'score',
        attrs: { type: 'number', min: '0', max: '100', placeholder: label, 'aria-label': `Score ${label}` },
      });
      input.addEventListener('change', () => events.onScore(this.read(this.scoreMin), this.read(this.scoreMax)));
      return input;
    };
    this.scoreMin = number('min');
    this.scoreMax = number('max');
    this.element = el('div', { className: 'filters' }, [
      el('label', { className: 'search-box' }, [icon('search'), this.search]),
      el('span', { className: 'score-range' }, [
        el('span', { text: 'Score' }),
        this.scoreMin,
        el('span', { text: '–' }),
        this.scoreMax,
      ]),
      this.flags,
      button('Clear filters', 'clear-all', () => events.onClear()),
    ]);
  }

  private read(input: HTMLInputElement): number | undefined {
    return input.value.trim() === '' || !Number.isFinite(input.valueAsNumber) ? undefined : input.valueAsNumber;
  }

  /** Builds the flag selects from the values present in the store. */
  setStore(store: ResultsStore): void {
    this.selects.clear();
    this.flags.replaceChildren(
      ...FLAG_COLUMNS.map((id) => {
        const select = el('select', { attrs: { 'aria-label': COLUMN_DEFS[id].label } });
        select.append(el('option', { text: 'any', attrs: { value: '' } }));
        for (const value of store.dict[id].values.slice(1)) {
          select.append(el('option', { text: value, attrs: { value: `=${value}` } }));
        }
        select.addEventListener('change', () =>
          this.events.onFlag(id, select.value === '' ? undefined : select.value.slice(1)),
        );
        this.selects.set(id, select);
        return el('label', { className: 'flag' }, [el('span', { text: COLUMN_DEFS[id].label }), select]);
      }),
    );
  }

  /** Shows a filter state (after restore or clear) without firing events. */
  show(filter: FilterState): void {
    this.search.value = filter.search;
    this.scoreMin.value = filter.scoreMin === undefined ? '' : String(filter.scoreMin);
    this.scoreMax.value = filter.scoreMax === undefined ? '' : String(filter.scoreMax);
    for (const [id, select] of this.selects) {
      const value = filter.flags[id];
      select.value = value === undefined ? '' : `=${value}`;
    }
  }
}
