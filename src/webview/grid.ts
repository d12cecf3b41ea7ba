import { STATUSES } from '../core/records';
import type { SortKey } from '../model/sort';
import { defaultWidth } from '../model/columns';
import { cellText, type ColumnId, type ResultsStore } from '../model/store';
import { el } from './dom';
import { columnLabel, GridHeader, MIN_COLUMN_WIDTH, type HeaderEvents } from './gridHeader';
import { t } from './l10n';

export const ROW_HEIGHT = 22;
const HEADER_HEIGHT = 26;
/**
 * Chrome stops growing an element at about 33.5M px. Up to this scroll range the scrollbar maps
 * 1:1 to rows (1M rows × 22 px fits); beyond it, scrollTop is scaled onto the row range, so any
 * number of rows stays reachable with the same small set of row elements.
 */
const MAX_SCROLL_PX = 30_000_000;
const KNOWN_STATUSES: ReadonlySet<string> = new Set(STATUSES);

/** Widest a double-click fits a column to, so one long value cannot push the rest off screen. */
const MAX_FIT_WIDTH = 600;
/** Rows a fit measures besides the visible ones: a spread sample is enough and stays fast at 1M rows. */
const FIT_SAMPLE = 2000;

export interface GridEvents extends Omit<HeaderEvents, 'onLeave'> {
  onRowClick(position: number, event: MouseEvent): void;
  onRowOpen(position: number): void;
  onKey(event: KeyboardEvent): void;
  onScroll(firstRow: number): void;
  /** A right-click on a row, before VS Code shows its context menu. */
  onRowContext(position: number, columnIndex: number): void;
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
  private readonly header: GridHeader;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private slots: RowSlot[] = [];
  private columns: ColumnId[] = [];
  private store: ResultsStore | undefined;
  private view: Uint32Array = new Uint32Array(0);
  private selected: Uint8Array = new Uint8Array(0);
  private active = -1;
  private activeColumn = 0;
  private widths: Partial<Record<ColumnId, number>> = {};
  private version = 0;
  private scrollRange = 0;
  private spacerHeight = 0;
  private viewportHeight = 0;
  private frame = 0;
  private firstRow = 0;

  constructor(private readonly events: GridEvents) {
    this.header = new GridHeader({
      ...events,
      onLeave: (columnIndex) => {
        this.activeColumn = columnIndex;
        this.element.focus();
        this.invalidate();
      },
    });
    this.viewport = el('div', { className: 'grid-viewport', attrs: { role: 'rowgroup' } });
    this.spacer = el('div', { className: 'grid-spacer', attrs: { 'aria-hidden': 'true' } });
    this.element = el(
      'div',
      {
        className: 'grid',
        attrs: {
          role: 'grid',
          tabindex: '0',
          'aria-label': t('Results'),
          'aria-multiselectable': 'true',
          // Only this extension's entries in VS Code's context menu: Cut/Paste make no sense here.
          'data-vscode-context': JSON.stringify({ preventDefaultContextMenuItems: true }),
        },
      },
      [this.header.element, this.viewport, this.spacer],
    );
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) {
        event.preventDefault();
        this.contextMenuAtActiveCell();
        return;
      }
      this.events.onKey(event);
    });
    this.viewport.addEventListener('click', (event) => {
      const position = this.positionAt(event);
      if (position < 0) return;
      this.activeColumn = this.columnAt(event);
      this.events.onRowClick(position, event);
    });
    this.viewport.addEventListener('contextmenu', (event) => {
      const position = this.positionAt(event);
      if (position >= 0) this.events.onRowContext(position, this.columnAt(event));
    });
    this.viewport.addEventListener('dblclick', (event) => {
      const position = this.positionAt(event);
      if (position >= 0) this.events.onRowOpen(position);
    });
    new ResizeObserver(() => this.layout()).observe(this.element);
  }

  /** Sets the columns, their widths and the sort shown in the header. */
  setColumns(columns: ColumnId[], sort: readonly SortKey[], widths: Partial<Record<ColumnId, number>> = {}): void {
    this.columns = columns;
    this.activeColumn = Math.min(this.activeColumn, Math.max(0, columns.length - 1));
    this.element.setAttribute('aria-colcount', String(columns.length));
    this.header.render(columns, sort, widths);
    this.setWidths(widths);
    this.slots = [];
    this.viewport.replaceChildren();
    this.layout();
  }

  /** Applies column widths without rebuilding anything (called on every pointer move of a resize). */
  setWidths(widths: Partial<Record<ColumnId, number>>): void {
    this.widths = widths;
    const px = this.columns.map((id) => widths[id] ?? defaultWidth(id));
    this.element.style.setProperty('--grid-columns', px.map((w) => `${w}px`).join(' '));
    this.element.style.setProperty('--grid-width', `${px.reduce((sum, w) => sum + w, 0)}px`);
  }

  /** The width that shows a column's header and values (the visible rows and a sample of the rest). */
  fitWidth(id: ColumnId): number {
    const probe = this.viewport.querySelector('.grid-cell') ?? this.element;
    const context = document.createElement('canvas').getContext('2d');
    if (!context) return defaultWidth(id);
    const style = getComputedStyle(probe);
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const headerStyle = getComputedStyle(this.header.element.querySelector('.grid-hcell') ?? this.element);
    let widest = 0;
    const measure = (text: string) => {
      if (text !== '') widest = Math.max(widest, context.measureText(text).width);
    };
    const { store, view } = this;
    if (store) {
      const step = Math.max(1, Math.floor(view.length / FIT_SAMPLE));
      for (let p = 0; p < view.length; p += step) measure(cellText(store, id, view[p]));
      for (let p = this.firstRow; p < Math.min(view.length, this.firstRow + this.slots.length); p++) {
        measure(cellText(store, id, view[p]));
      }
    }
    context.font = `600 ${headerStyle.fontSize} ${headerStyle.fontFamily}`;
    // The header also holds a sort arrow and the resize handle.
    widest = Math.max(widest, context.measureText(columnLabel(id)).width + 24);
    // Cell padding (6 px each side), the status dot, and a little air.
    const extra = id === 'status' ? 30 : 16;
    return Math.min(MAX_FIT_WIDTH, Math.max(MIN_COLUMN_WIDTH, Math.ceil(widest + extra)));
  }

  /** Keyboard focus to the header of a column. */
  focusHeader(columnIndex: number): void {
    this.header.focus(columnIndex);
  }

  /** The column of the active cell (view index into the shown columns). */
  get activeColumnIndex(): number {
    return this.activeColumn;
  }

  setActiveColumn(index: number): void {
    this.activeColumn = Math.max(0, Math.min(this.columns.length - 1, index));
    this.scrollToColumn(this.activeColumn);
    this.invalidate();
  }

  private scrollToColumn(index: number): void {
    let left = 0;
    for (let c = 0; c < index; c++) left += this.widths[this.columns[c]] ?? defaultWidth(this.columns[c]);
    const width = this.widths[this.columns[index]] ?? defaultWidth(this.columns[index]);
    const view = this.element;
    if (left < view.scrollLeft) view.scrollLeft = left;
    else if (left + width > view.scrollLeft + view.clientWidth) view.scrollLeft = left + width - view.clientWidth;
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
    // VS Code merges the `data-vscode-context` of the clicked cell with its row's (set in render).
    const cells = this.columns.map((id, index) =>
      el(
        'div',
        {
          className: 'grid-cell',
          attrs: {
            role: 'gridcell',
            'aria-colindex': String(index + 1),
            'data-vscode-context': JSON.stringify({ column: id }),
          },
        },
        [texts[index]],
      ),
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
      slot.node.setAttribute('data-vscode-context', `{"webviewSection":"cell","row":${row}}`);
      const isSelected = this.selected[row] === 1;
      slot.node.setAttribute('aria-selected', String(isSelected));
      slot.node.classList.toggle('selected', isSelected);
      slot.node.classList.toggle('active', position === this.active);
      const isActive = position === this.active;
      slot.node.id = isActive ? 'grid-active-row' : '';
      for (let c = 0; c < slot.cells.length; c++) {
        const activeCell = isActive && c === this.activeColumn;
        slot.cells[c].classList.toggle('active-cell', activeCell);
        if (activeCell) slot.cells[c].id = 'grid-active-cell';
        else if (slot.cells[c].id !== '') slot.cells[c].id = '';
      }
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
      // The active cell, so a screen reader reads its row and column position with its text.
      this.element.setAttribute('aria-activedescendant', 'grid-active-cell');
    } else {
      this.element.removeAttribute('aria-activedescendant');
    }
  }

  /**
   * The keyboard's way to VS Code's context menu: VS Code opens it for a `contextmenu` event and reads
   * `data-vscode-context` from its target, which for the keyboard would be the grid, not a cell.
   */
  private contextMenuAtActiveCell(): void {
    const cell = document.getElementById('grid-active-cell');
    if (!cell || !this.element.contains(cell)) return;
    const box = cell.getBoundingClientRect();
    cell.dispatchEvent(
      new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: box.left + 8, clientY: box.bottom }),
    );
  }

  private columnAt(event: MouseEvent): number {
    const cell = event.target instanceof Element ? event.target.closest<HTMLElement>('.grid-cell') : null;
    const index = Number(cell?.getAttribute('aria-colindex'));
    return Number.isInteger(index) && index > 0 ? index - 1 : this.activeColumn;
  }

  private positionAt(event: MouseEvent): number {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('.grid-row') : null;
    const position = target?.dataset.position;
    return position === undefined ? -1 : Number(position);
  }
}
