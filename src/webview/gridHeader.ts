import { COLUMN_DEFS, type FlatColumn } from '../core/recordColumns';
import { defaultWidth } from '../model/columns';
import { extraIndex, type ColumnId, type ResultsStore } from '../model/store';
import type { SortKey } from '../model/sort';
import { el, icon } from './dom';
import { t } from './l10n';

export const MIN_COLUMN_WIDTH = 40;
/** Shift+Arrow on a header resizes by this much: the keyboard's way to do what dragging does. */
const KEY_RESIZE_STEP = 16;

export interface HeaderEvents {
  onSort(column: ColumnId, additive: boolean): void;
  /** A width while dragging (`done` false) and once more when the drag ends (`done` true, to persist). */
  onResize(column: ColumnId, width: number, done: boolean): void;
  onFit(column: ColumnId): void;
  onMove(column: ColumnId, toIndex: number): void;
  /** ArrowDown from a header: back to the cells, in this column. */
  onLeave(columnIndex: number): void;
}

/** The extra columns' labels of the store on screen: the page shows one store at a time. */
let extraLabels: readonly string[] = [];

/** Takes the labels of a store's extra columns, before anything shows them. */
export function useExtraLabels(store: ResultsStore): void {
  extraLabels = (store.extra ?? []).map((extra) => extra.label);
}

/** The label every part of the webview shows for a column; an extra column's is the file's, untranslated. */
export function columnLabel(id: ColumnId): string {
  const extra = extraIndex(id);
  if (extra >= 0) return extraLabels[extra] ?? id;
  return t(COLUMN_DEFS[id as FlatColumn].label);
}

/**
 * The grid's header row: each header is focusable (one tab stop, arrows between them) and sorts on
 * click, Enter or Space (Shift adds a key); its right edge resizes by drag (double-click fits), the
 * header itself reorders by drag, and Shift/Alt+Arrow do both from the keyboard.
 */
export class GridHeader {
  readonly element: HTMLDivElement;
  private columns: ColumnId[] = [];
  private widths: Partial<Record<ColumnId, number>> = {};
  private focusIndex = 0;

  constructor(private readonly events: HeaderEvents) {
    this.element = el('div', { className: 'grid-header', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.element.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** The width a column is shown at. */
  width(id: ColumnId): number {
    return this.widths[id] ?? defaultWidth(id);
  }

  render(columns: ColumnId[], sort: readonly SortKey[], widths: Partial<Record<ColumnId, number>>): void {
    const hadFocus = this.element.contains(document.activeElement);
    this.columns = columns;
    this.widths = widths;
    this.focusIndex = Math.min(this.focusIndex, Math.max(0, columns.length - 1));
    this.element.replaceChildren(...columns.map((id, index) => this.cell(id, index, sort)));
    if (hadFocus) this.focus(this.focusIndex);
  }

  /** Moves keyboard focus to a header cell. */
  focus(index: number): void {
    const cells = this.element.children;
    if (cells.length === 0) return;
    this.focusIndex = Math.max(0, Math.min(cells.length - 1, index));
    for (let i = 0; i < cells.length; i++) cells[i].setAttribute('tabindex', i === this.focusIndex ? '0' : '-1');
    (cells[this.focusIndex] as HTMLElement).focus();
  }

  private cell(id: ColumnId, index: number, sort: readonly SortKey[]): HTMLElement {
    const keyIndex = sort.findIndex((key) => key.column === id);
    const key = sort[keyIndex];
    const label = columnLabel(id);
    const handle = el('span', { className: 'grid-resize', attrs: { 'aria-hidden': 'true' } });
    const cell = el(
      'div',
      {
        className: 'grid-hcell',
        title: t('{0}: click to sort, shift-click to add a sort key, drag to move', label),
        attrs: {
          role: 'columnheader',
          tabindex: index === this.focusIndex ? '0' : '-1',
          draggable: 'true',
          'aria-colindex': String(index + 1),
          'aria-sort': key && keyIndex === 0 ? (key.descending ? 'descending' : 'ascending') : 'none',
          'aria-description': t('Enter sorts, Shift+Enter adds a sort key, Alt+Arrow moves, Shift+Arrow resizes'),
          'data-column': id,
        },
      },
      [
        el('span', { className: 'grid-hlabel', text: label }),
        key ? icon(key.descending ? 'arrow-down' : 'arrow-up') : undefined,
        key && sort.length > 1 ? el('span', { className: 'grid-sortindex', text: String(keyIndex + 1) }) : undefined,
        handle,
      ],
    );
    cell.addEventListener('click', (event) => {
      this.focusIndex = index;
      this.events.onSort(id, event.shiftKey);
    });
    this.resizable(cell, handle, id);
    this.reorderable(cell, id);
    return cell;
  }

  private resizable(cell: HTMLElement, handle: HTMLElement, id: ColumnId): void {
    handle.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      event.stopPropagation();
      // The header cell is draggable (reorder); a resize must not start that drag.
      cell.draggable = false;
      handle.setPointerCapture(event.pointerId);
      const startX = event.clientX;
      const startWidth = this.width(id);
      let width = startWidth;
      const move = (e: PointerEvent) => {
        width = Math.max(MIN_COLUMN_WIDTH, Math.round(startWidth + e.clientX - startX));
        this.events.onResize(id, width, false);
      };
      const end = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', end);
        handle.removeEventListener('pointercancel', end);
        cell.draggable = true;
        if (width !== startWidth) this.events.onResize(id, width, true);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', end);
      handle.addEventListener('pointercancel', end);
    });
    // The click that ends a resize is not a sort.
    handle.addEventListener('click', (event) => event.stopPropagation());
    handle.addEventListener('dblclick', (event) => {
      event.stopPropagation();
      this.events.onFit(id);
    });
  }

  private reorderable(cell: HTMLElement, id: ColumnId): void {
    cell.addEventListener('dragstart', (event) => {
      event.dataTransfer?.setData('application/x-bouncer-column', id);
      if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
    });
    cell.addEventListener('dragover', (event) => {
      if (!event.dataTransfer?.types.includes('application/x-bouncer-column')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      cell.classList.add('drop-target');
    });
    cell.addEventListener('dragleave', () => cell.classList.remove('drop-target'));
    cell.addEventListener('drop', (event) => {
      cell.classList.remove('drop-target');
      const moved = event.dataTransfer?.getData('application/x-bouncer-column');
      if (!moved || moved === id) return;
      event.preventDefault();
      this.events.onMove(moved as ColumnId, this.columns.indexOf(id));
    });
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('.grid-hcell') : null;
    if (!target) return;
    const index = Number(target.getAttribute('aria-colindex')) - 1;
    const id = this.columns[index];
    if (id === undefined) return;
    this.focusIndex = index;
    const horizontal = event.key === 'ArrowLeft' ? -1 : event.key === 'ArrowRight' ? 1 : 0;
    let handled = true;
    if (event.key === 'Enter' || event.key === ' ') this.events.onSort(id, event.shiftKey);
    else if (horizontal !== 0 && event.altKey) {
      const to = index + horizontal;
      if (to >= 0 && to < this.columns.length) {
        this.focusIndex = to;
        this.events.onMove(id, to);
      }
    } else if (horizontal !== 0 && event.shiftKey) {
      this.events.onResize(id, Math.max(MIN_COLUMN_WIDTH, this.width(id) + horizontal * KEY_RESIZE_STEP), true);
    } else if (horizontal !== 0) this.focus(index + horizontal);
    else if (event.key === 'Home') this.focus(0);
    else if (event.key === 'End') this.focus(this.columns.length - 1);
    else if (event.key === 'ArrowDown') this.events.onLeave(index);
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  }
}
