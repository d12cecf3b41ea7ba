import { COLUMN_DEFS, type FlatColumn } from '../core/recordColumns';
import { STATUSES } from '../core/records';
import type { SortKey } from '../model/sort';
import { cellText, type ResultsStore } from '../model/store';
import { el, icon } from './dom';

export const ROW_HEIGHT = 22;
const HEADER_HEIGHT = 26;
/**
 * Chrome stops growing an element at about 33.5M px. Up to this scroll range the scrollbar maps
 * 1:1 to rows (1M rows × 22 px fits); beyond it, scrollTop is scaled onto the row range, so any
 * number of rows stays reachable with the same small set of row elements.
 */
const MAX_SCROLL_PX = 30_000_000;
const KNOWN_STATUSES: ReadonlySet<string> = new Set(STATUSES);

export interface GridEvents {
  onHeaderClick(column: FlatColumn, additive: boolean): void;
  onRowClick(position: number, event: MouseEvent): void;
  onRowOpen(position: number): void;
  onKey(event: KeyboardEvent): void;
  onScroll(firstRow: number): void;
}

interface RowSlot {
  node: HTMLDivElement;
  cells: HTMLDivElement[];
  /** One Text node per cell, rewritten in place: no node churn while scrolling. */
  texts: Text[];
  /** What the slot shows now, so unchanged rows are not touched while scrolling. */
  row: number;
  version: number;
}

/**
 * A windowed ARIA grid: a sticky header, a sticky viewport holding a fixed pool of row elements,
 * and a spacer giving the scrollbar its length. Scrolling only rewrites the text of pooled rows, so
 * the DOM holds the same few dozen rows at 100 rows or 10 million.
 */
export class Grid {
  readonly element: HTMLDivElement;
  private readonly header: HTMLDivElement;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private slots: RowSlot[] = [];
  private columns: FlatColumn[] = [];
  private store: ResultsStore | undefined;
  private view: Uint32Array = new Uint32Array(0);
  private selected: Uint8Array = new Uint8Array(0);
  private active = -1;
  private version = 0;
  private scrollRange = 0;
  private spacerHeight = 0;
  private viewportHeight = 0;
  private frame = 0;
  private firstRow = 0;

  constructor(private readonly events: GridEvents) {
    this.header = el('div', { className: 'grid-header', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.viewport = el('div', { className: 'grid-viewport', attrs: { role: 'rowgroup' } });
    this.spacer = el('div', { className: 'grid-spacer', attrs: { 'aria-hidden': 'true' } });
    this.element = el(
      'div',
      {
        className: 'grid',
        attrs: { role: 'grid', tabindex: '0', 'aria-label': 'Results', 'aria-multiselectable': 'true' },
      },
      [this.header, this.viewport, this.spacer],
    );
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (event) => this.events.onKey(event));
    this.viewport.addEventListener('click', (event) => {
      const position = this.positionAt(event);
      if (position >= 0) this.events.onRowClick(position, event);
    });
    this.viewport.addEventListener('dblclick', (event) => {
      const position = this.positionAt(event);
      if (position >= 0) this.events.onRowOpen(position);
    });
    new ResizeObserver(() => this.layout()).observe(this.element);
  }

  /** Sets the columns and the sort shown in the header. */
  setColumns(columns: FlatColumn[], sort: readonly SortKey[]): void {
    this.columns = columns;
    const template = columns.map((id) => `${COLUMN_DEFS[id].width}px`).join(' ');
    const width = columns.reduce((sum, id) => sum + COLUMN_DEFS[id].width, 0);
    this.element.style.setProperty('--grid-columns', template);
    this.element.style.setProperty('--grid-width', `${width}px`);
    this.element.setAttribute('aria-colcount', String(columns.length));
    this.header.replaceChildren(
      ...columns.map((id, index) => {
        const keyIndex = sort.findIndex((key) => key.column === id);
        const key = sort[keyIndex];
        const cell = el(
          'div',
          {
            className: 'grid-hcell',
            title: `${COLUMN_DEFS[id].label}: click to sort, shift-click to add a sort key`,
            attrs: {
              role: 'columnheader',
              'aria-colindex': String(index + 1),
              'aria-sort': key && keyIndex === 0 ? (key.descending ? 'descending' : 'ascending') : 'none',
              'data-column': id,
            },
          },
          [
            el('span', { className: 'grid-hlabel', text: COLUMN_DEFS[id].label }),
            key ? icon(key.descending ? 'arrow-down' : 'arrow-up') : undefined,
            key && sort.length > 1
              ? el('span', { className: 'grid-sortindex', text: String(keyIndex + 1) })
              : undefined,
          ],
        );
        cell.addEventListener('click', (event) => this.events.onHeaderClick(id, event.shiftKey));
        return cell;
      }),
    );
    this.slots = [];
    this.viewport.replaceChildren();
    this.layout();
  }

  /** Shows a new view (row order) with its selection mask; keeps the scroll position when asked. */
  setView(store: ResultsStore, view: Uint32Array, selected: Uint8Array, keepScroll: boolean): void {
    this.store = store;
    this.view = view;
    this.selected = selected;
    this.element.setAttribute('aria-rowcount', String(view.length + 1));
    this.layout();
    if (!keepScroll) this.element.scrollTop = 0;
    this.invalidate();
  }

  /** Shows no rows at all (the rows shown belonged to a load that failed). */
  clear(): void {
    this.store = undefined;
    this.view = new Uint32Array(0);
    this.selected = new Uint8Array(0);
    this.element.setAttribute('aria-rowcount', '1');
    this.layout();
    this.element.scrollTop = 0;
    this.invalidate();
  }

  /** Marks every visible row stale (selection or active row changed) and repaints now. */
  invalidate(): void {
    this.version++;
    this.render();
  }

  setActive(position: number): void {
    this.active = position;
    this.invalidate();
  }

  /** View position of the first visible row. */
  get first(): number {
    return this.firstRow;
  }

  /** Rows that fit in the viewport. */
  get pageSize(): number {
    return Math.max(1, Math.floor(this.viewportHeight / ROW_HEIGHT));
  }

  /** Number of row elements in the DOM (the benchmark and the UI test read this). */
  get domRows(): number {
    return this.viewport.childElementCount;
  }

  /** Scrolls so the row at `position` is the first one (`top`) or just visible. */
  scrollToRow(position: number, mode: 'top' | 'visible'): void {
    const contentTop = position * ROW_HEIGHT;
    const current = this.virtualTop();
    let target = current;
    if (mode === 'top' || contentTop < current) target = contentTop;
    else if (contentTop + ROW_HEIGHT > current + this.viewportHeight) {
      target = contentTop + ROW_HEIGHT - this.viewportHeight;
    }
    if (target === current) return;
    this.element.scrollTop =
      this.scrollRange > 0 ? (Math.min(target, this.scrollRange) / this.scrollRange) * this.spacerHeight : 0;
    this.render();
  }

  private virtualTop(): number {
    if (this.spacerHeight <= 0) return 0;
    return (Math.min(this.element.scrollTop, this.spacerHeight) / this.spacerHeight) * this.scrollRange;
  }

  private layout(): void {
    this.viewportHeight = Math.max(0, this.element.clientHeight - HEADER_HEIGHT);
    this.viewport.style.height = `${this.viewportHeight}px`;
    this.scrollRange = Math.max(0, this.view.length * ROW_HEIGHT - this.viewportHeight);
    this.spacerHeight = Math.min(this.scrollRange, MAX_SCROLL_PX);
    this.spacer.style.height = `${this.spacerHeight}px`;
    const wanted = Math.ceil(this.viewportHeight / ROW_HEIGHT) + 1;
    while (this.slots.length < wanted) this.slots.push(this.makeSlot());
    while (this.slots.length > wanted) (this.slots.pop() as RowSlot).node.remove();
    this.version++;
    this.render();
  }

  private makeSlot(): RowSlot {
    const texts = this.columns.map(() => document.createTextNode(''));
    const cells = this.columns.map((_, index) =>
      el('div', { className: 'grid-cell', attrs: { role: 'gridcell', 'aria-colindex': String(index + 1) } }, [
        texts[index],
      ]),
    );
    const node = el('div', { className: 'grid-row', attrs: { role: 'row' } }, cells);
    // Hidden until render gives it a row, so a spare slot never covers a real one.
    node.hidden = true;
    this.viewport.append(node);
    return { node, cells, texts, row: -1, version: -1 };
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const top = this.virtualTop();
    const first = Math.floor(top / ROW_HEIGHT);
    const shift = first * ROW_HEIGHT - top;
    const { store, view } = this;
    if (first !== this.firstRow) {
      this.firstRow = first;
      this.events.onScroll(first);
    }
    for (let k = 0; k < this.slots.length; k++) {
      const slot = this.slots[k];
      const position = first + k;
      if (!store || position >= view.length) {
        if (slot.row !== -1) {
          slot.node.hidden = true;
          slot.row = -1;
        }
        continue;
      }
      slot.node.style.transform = `translateY(${k * ROW_HEIGHT + shift}px)`;
      const row = view[position];
      if (slot.row === row && slot.version === this.version && !slot.node.hidden) continue;
      slot.node.hidden = false;
      slot.row = row;
      slot.version = this.version;
      slot.node.dataset.position = String(position);
      slot.node.setAttribute('aria-rowindex', String(position + 2));
      const isSelected = this.selected[row] === 1;
      slot.node.setAttribute('aria-selected', String(isSelected));
      slot.node.classList.toggle('selected', isSelected);
      slot.node.classList.toggle('active', position === this.active);
      slot.node.id = position === this.active ? 'grid-active-row' : '';
      for (let c = 0; c < this.columns.length; c++) {
        const column = this.columns[c];
        const text = cellText(store, column, row);
        // A Text node's data, never innerHTML: every value from the server is untrusted text.
        const node = slot.texts[c];
        if (node.data !== text) node.data = text;
        if (column === 'status') slot.cells[c].dataset.status = KNOWN_STATUSES.has(text) ? text : 'other';
      }
    }
    if (this.active >= first && this.active < first + this.slots.length) {
      this.element.setAttribute('aria-activedescendant', 'grid-active-row');
    } else {
      this.element.removeAttribute('aria-activedescendant');
    }
  }

  private positionAt(event: MouseEvent): number {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('.grid-row') : null;
    const position = target?.dataset.position;
    return position === undefined ? -1 : Number(position);
  }
}
