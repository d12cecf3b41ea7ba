import { formatBytes } from '../core/format';
import type { FlagColumn } from '../core/recordColumns';
import { defaultColumns } from '../model/columns';
import { ColumnFilterIndex } from '../model/columnFilter';
import { applyFilter, emptyFilter, type ColumnFilter, type FilterState, type ViewResult } from '../model/filter';
import { RankCache } from '../model/ranks';
import { SearchIndex } from '../model/search';
import { nextSort, sortRows } from '../model/sort';
import { summarize, type Summary } from '../model/stats';
import { cellText, extraColumnIds, hasColumn, type ColumnId, type ResultsStore } from '../model/store';
import {
  MAX_EMAIL_LENGTH,
  MAX_VERIFY_AGAIN_EMAILS,
  type ContextActionMessage,
  type DownloadProgressMessage,
  type HostMessage,
  type PanelSource,
  type UiState,
} from '../shared/protocol';
import { navigate } from './cellNavigation';
import { ColumnChooser } from './columnChooser';
import { columnLabel, useExtraLabels } from './gridHeader';
import { DetailsPane } from './detailsPane';
import { button, el } from './dom';
import { FiltersBar } from './filtersBar';
import { Grid } from './grid';
import { formatCount, t } from './l10n';
import { RowSelection } from './rowSelection';
import { SavedUi } from './savedUi';
import { renderChips, renderSummary } from './summaryBar';
import { toolbar } from './toolbar';
import type { VsCodeApi } from './vscodeApi';

/** This file's strings for the data path, in one place for the l10n bundle to route. */
/** The data path's words, looked up when shown: the l10n bundle arrives with `init`. */
const TEXT = {
  opening: () => t('Opening results…'),
  waiting: () => t('Waiting for another VS Code window downloading the same results…'),
  downloading: (bytes: string, records: string) => t('Downloading… {0} · {1} records received', bytes, records),
  loading: (rows: string) => t('Loading results… {0} rows', rows),
  soFar: (shown: string, rows: string) => t('{0} of {1} rows so far', shown, rows),
  arriving: () => t('still arriving: sort, filter and search cover the rows so far and re-apply as more arrive'),
  read: (rows: string) => t('loading… {0} read', rows),
  tooManyAgain: (most: string) => t('Select at most {0} rows to verify again: that is one batch.', most),
};

interface Loaded {
  store: ResultsStore;
  ranks: RankCache;
  search: SearchIndex;
  columnFilters: ColumnFilterIndex;
  summary: Summary;
  /** All rows in the current sort order, and the sort it was made for. */
  order: Uint32Array;
  orderKey: string;
  view: ViewResult;
  /** Sort orders and views are written into these, alternating, instead of fresh 4 MB arrays per action. */
  sortBuffers: [Uint32Array, Uint32Array];
  viewBuffers: [Uint32Array, Uint32Array];
  selection: RowSelection;
}

/**
 * The results table page: owns the model on the webview side and answers every interaction locally
 * (sort, filter, search, selection) so nothing waits for the extension host.
 */
export class TableApp {
  private readonly saved: SavedUi;
  private data: Loaded | undefined;
  private readonly title = el('h1', { className: 'title' });
  private readonly summary = el('div', { className: 'summary' });
  private readonly filters: FiltersBar;
  private readonly chooser: ColumnChooser;
  private readonly grid: Grid;
  private readonly statusLine = el('div', {
    className: 'status-line',
    attrs: { role: 'status', 'aria-live': 'polite' },
  });
  private readonly overlay = el('div', { className: 'overlay', attrs: { role: 'status' } });
  private readonly details = new DetailsPane(() => this.grid.element.focus());
  /** False while only the opening rows of a big batch are here. */
  private complete = true;
  private loadedSoFar = 0;
  private download: DownloadProgressMessage | undefined;
  private readonly skeletonTitle = el('h2', { className: 'skeleton-title' });
  private readonly skeletonLine = el('p', { className: 'skeleton-progress', attrs: { role: 'status' } });
  /** A restored scroll position waiting for enough rows to arrive. */
  private pendingScroll: number | undefined;

  constructor(
    private readonly api: VsCodeApi,
    saved: UiState | undefined,
  ) {
    this.saved = new SavedUi(api, saved);
    this.filters = new FiltersBar({
      onSearch: (text) => this.updateFilter({ search: text }),
      onScore: (scoreMin, scoreMax) => this.updateFilter({ scoreMin, scoreMax }),
      onFlag: (column, value) => this.setFlag(column, value),
      onColumns: (columns) => this.setColumnFilters(columns),
      onClear: () => this.updateFilter(emptyFilter(), true),
    });
    this.chooser = new ColumnChooser((columns) => this.setColumns(columns));
    this.grid = new Grid({
      onSort: (column, additive) => this.sortBy(column, additive),
      onResize: (column, width, done) => this.resizeColumn(column, width, done),
      onFit: (column) => this.data && this.resizeColumn(column, this.grid.fitWidth(column), true),
      onMove: (column, to) => this.moveColumn(column, to),
      onRowContext: (position, column) => this.contextRow(position, column),
      onRowClick: (position, event) => this.clickRow(position, event),
      onRowOpen: (position) => this.openDetails(position),
      onKey: (event) => this.onKey(event),
      onScroll: (first) => {
        if (this.ui && this.data && this.pendingScroll === undefined) {
          this.ui.scrollRow = first;
          this.saved.saveSoon();
        }
      },
    });
    const actions = toolbar({
      columns: () => this.data && this.ui && this.chooser.toggle(this.ui.columns, this.data.store),
      copy: (what) => this.copy(what),
      exportView: (format, target) => this.exportView(format, target),
    });
    this.filters.element.append(actions);
    document.body.replaceChildren(
      el('header', { className: 'top' }, [this.title, this.summary]),
      this.filters.element,
      this.chooser.element,
      el('main', { className: 'table' }, [this.grid.element, this.overlay]),
      this.details.element,
      this.statusLine,
    );
    // Ctrl/Cmd+F anywhere in the page: the search box (the page has no find widget of its own).
    document.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
        event.preventDefault();
        this.filters.search.focus();
        this.filters.search.select();
      }
    });
    this.showSkeleton();
  }

  /** Handles one validated host message. */
  handle(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        this.init(message.source, message.title, message.ui);
        break;
      case 'progress':
        this.loadedSoFar = message.rows;
        if (this.data) this.updateStatusLine();
        else this.showSkeleton(TEXT.loading(formatCount(message.rows)));
        break;
      case 'download':
        this.download = message;
        if (this.data) this.updateStatusLine();
        else this.showSkeleton(this.downloadText());
        break;
      case 'loadError':
        // Rows of a load that failed part way are not the batch: they go, rather than look complete.
        if (!this.complete) this.dropRows();
        this.showError(message.message, message.canRetry);
        break;
      case 'data':
        this.load(message.store, message.complete);
        break;
      case 'contextAction':
        this.contextAction(message);
        break;
      case 'dataUrl':
      case 'rowsUrl':
        // RowsInbox (main.ts) fetches these and hands them on as `data`.
        break;
    }
  }

  private get ui(): UiState | undefined {
    return this.saved.current;
  }

  private init(source: PanelSource, title: string, hostUi: UiState | undefined): void {
    this.saved.adopt(source, hostUi);
    this.title.textContent = title;
    this.skeletonTitle.textContent = title;
  }

  /** Before any row: the batch's name, a progress line and placeholder rows, painted at once. */
  private showSkeleton(progress: string = TEXT.opening()): void {
    this.overlay.hidden = false;
    this.overlay.setAttribute('role', 'status');
    this.overlay.classList.add('skeleton');
    this.skeletonLine.textContent = progress;
    const bars = Array.from({ length: 6 }, () =>
      el('div', { className: 'skeleton-bar', attrs: { 'aria-hidden': 'true' } }),
    );
    this.overlay.replaceChildren(this.skeletonTitle, this.skeletonLine, ...bars);
  }

  private downloadText(): string {
    const download = this.download;
    if (!download) return TEXT.opening();
    if (download.waiting) return TEXT.waiting();
    return TEXT.downloading(formatBytes(download.bytes), formatCount(download.records));
  }

  private dropRows(): void {
    this.data = undefined;
    this.download = undefined;
    this.complete = true;
    this.grid.clear();
    this.statusLine.textContent = '';
    delete document.body.dataset.complete;
  }

  private load(store: ResultsStore, complete: boolean): void {
    const ui = this.saved.ensure();
    const previous = this.data;
    // The whole batch replacing its opening rows: same row indices, so selection and scroll carry over.
    const continuing = previous !== undefined && !this.complete;
    this.complete = complete;
    if (complete) this.download = undefined;
    // Marks rows still arriving for the style sheet and for tests; the status line says it in words.
    document.body.dataset.complete = String(complete);
    useExtraLabels(store);
    if (ui.columns.length === 0) ui.columns = [...defaultColumns(store.hasName), ...extraColumnIds(store)];
    if (complete && !store.hasName) ui.columns = ui.columns.filter((id) => id !== 'name');
    keepColumnsOf(store, ui);
    const empty: ViewResult = {
      rows: new Uint32Array(0),
      statusCounts: new Uint32Array(0),
      reasonCounts: new Uint32Array(0),
    };
    this.data = {
      store,
      ranks: new RankCache(store),
      search: new SearchIndex(store),
      columnFilters: new ColumnFilterIndex(store),
      summary: summarize(store),
      order: new Uint32Array(0),
      orderKey: '',
      view: empty,
      sortBuffers: [new Uint32Array(store.rowCount), new Uint32Array(store.rowCount)],
      viewBuffers: [new Uint32Array(store.rowCount), new Uint32Array(store.rowCount)],
      selection: new RowSelection(store.rowCount, continuing ? previous.selection : undefined),
    };
    this.overlay.hidden = true;
    this.overlay.classList.remove('skeleton');
    this.filters.setStore(store);
    this.filters.show(ui.filter);
    this.grid.setColumns(ui.columns, ui.sort, ui.widths);
    if (!previous) this.pendingScroll = ui.scrollRow;
    const keep = continuing ? this.grid.first : 0;
    this.refresh(false);
    const pending = this.pendingScroll;
    if (pending !== undefined && (pending < this.data.view.rows.length || complete)) {
      this.pendingScroll = undefined;
      this.grid.scrollToRow(pending, 'top');
    } else if (keep > 0) {
      this.grid.scrollToRow(keep, 'top');
    }
    // Two frames: the rows have been laid out and painted when the host hears about it.
    const rows = this.data.view.rows.length;
    const columns = ui.columns.map(columnLabel);
    requestAnimationFrame(() =>
      requestAnimationFrame(() => this.api.postMessage({ type: 'rendered', rows, complete, columns })),
    );
  }

  /** Recomputes the view (sort if needed, then filters) and repaints everything that depends on it. */
  private refresh(keepScroll: boolean): void {
    const { data, ui } = this;
    if (!data || !ui) return;
    const key = JSON.stringify(ui.sort);
    if (key !== data.orderKey) {
      data.order = sortRows(data.store.rowCount, ui.sort, data.ranks, data.sortBuffers);
      data.orderKey = key;
    }
    // The current view lives in viewBuffers[0]; the new one goes into the other, then they swap.
    data.viewBuffers.reverse();
    data.view = applyFilter(data.store, data.order, ui.filter, data.search, data.viewBuffers[0], data.columnFilters);
    const { store, selection } = data;
    selection.active = Math.min(selection.active, Math.max(0, data.view.rows.length - 1));
    renderSummary(
      this.summary,
      store,
      data.summary,
      data.view.statusCounts,
      ui.filter.statuses,
      !this.complete,
      (status, only) => this.toggleValue('statuses', status, only),
    );
    renderChips(
      this.filters.reasonChips,
      t('Reason'),
      store.dict.reason.values,
      data.view.reasonCounts,
      ui.filter.reasons,
      (v) => this.toggleValue('reasons', v, false),
    );
    this.filters.show(ui.filter);
    this.grid.setActive(selection.active);
    this.grid.setView(store, data.view.rows, selection.selected, keepScroll);
    this.updateStatusLine();
    this.saved.save();
  }

  private updateStatusLine(): void {
    const { data, ui } = this;
    if (!data || !ui) return;
    const shown = formatCount(data.view.rows.length);
    const parts = [
      this.complete
        ? t('{0} of {1} rows', shown, formatCount(data.store.rowCount))
        : TEXT.soFar(shown, formatCount(data.store.rowCount)),
    ];
    if (!this.complete && this.download) parts.push(this.downloadText(), TEXT.arriving());
    else if (!this.complete) parts.push(TEXT.read(formatCount(Math.max(this.loadedSoFar, data.store.rowCount))));
    if (data.selection.count > 0) parts.push(t('{0} selected', formatCount(data.selection.count)));
    if (ui.sort.length > 0) {
      const keys = ui.sort.map((k) => `${columnLabel(k.column)} ${k.descending ? '↓' : '↑'}`).join(', ');
      parts.push(t('sorted by {0}', keys));
    }
    this.statusLine.textContent = parts.join(' · ');
  }

  private updateFilter(patch: Partial<FilterState>, replace = false): void {
    if (!this.ui) return;
    this.ui.filter = replace ? { ...emptyFilter(), ...patch } : { ...this.ui.filter, ...patch };
    if (this.ui.filter.scoreMin === undefined) delete this.ui.filter.scoreMin;
    if (this.ui.filter.scoreMax === undefined) delete this.ui.filter.scoreMax;
    this.refresh(false);
  }

  private setFlag(column: FlagColumn, value: string | undefined): void {
    if (!this.ui) return;
    const flags = { ...this.ui.filter.flags };
    if (value === undefined) delete flags[column];
    else flags[column] = value;
    this.updateFilter({ flags });
  }

  /** Chip click toggles a value; the summary bar's "only" click selects just that status (or clears it). */
  private toggleValue(field: 'statuses' | 'reasons', value: string, only: boolean): void {
    if (!this.ui) return;
    const current = this.ui.filter[field];
    let next: string[];
    if (only) next = current.length === 1 && current[0] === value ? [] : [value];
    else next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    this.updateFilter({ [field]: next });
  }

  private setColumnFilters(columns: ColumnFilter[]): void {
    if (!this.ui) return;
    const filter: FilterState = { ...this.ui.filter, columns };
    if (columns.length === 0) delete filter.columns;
    this.ui.filter = filter;
    this.refresh(false);
  }

  private sortBy(column: ColumnId, additive: boolean): void {
    if (!this.ui) return;
    this.ui.sort = nextSort(this.ui.sort, column, additive);
    this.grid.setColumns(this.ui.columns, this.ui.sort, this.ui.widths);
    this.refresh(false);
  }

  /** While dragging only the widths change; the end of a drag (or a fit) is saved. */
  private resizeColumn(column: ColumnId, width: number, done: boolean): void {
    if (!this.ui) return;
    this.ui.widths = { ...this.ui.widths, [column]: width };
    this.grid.setWidths(this.ui.widths);
    if (done) this.saved.save();
  }

  private moveColumn(column: ColumnId, to: number): void {
    if (!this.ui) return;
    const columns = this.ui.columns.filter((id) => id !== column);
    if (columns.length === this.ui.columns.length) return;
    columns.splice(Math.max(0, Math.min(columns.length, to)), 0, column);
    this.setColumns(columns);
  }

  private setColumns(columns: ColumnId[]): void {
    if (!this.ui || !this.data) return;
    this.ui.columns = columns;
    this.grid.setColumns(columns, this.ui.sort, this.ui.widths);
    this.grid.setView(this.data.store, this.data.view.rows, this.data.selection.selected, true);
    this.saved.save();
  }

  private clickRow(position: number, event: MouseEvent): void {
    const data = this.data;
    if (!data) return;
    const { selection } = data;
    if (event.shiftKey) selection.range(data.view.rows, selection.anchor, position);
    else if (event.ctrlKey || event.metaKey) selection.toggle(data.view.rows, position);
    else selection.only(data.view.rows, position);
    this.moveActive(position, false);
    this.grid.element.focus();
  }

  private moveActive(position: number, extend: boolean): void {
    const data = this.data;
    if (!data || data.view.rows.length === 0) return;
    const { selection } = data;
    selection.active = Math.max(0, Math.min(data.view.rows.length - 1, position));
    if (extend) selection.range(data.view.rows, selection.anchor, selection.active);
    this.grid.setActive(selection.active);
    this.grid.scrollToRow(selection.active, 'visible');
    this.updateStatusLine();
    if (this.details.isOpen) this.openDetails(selection.active);
  }

  private onKey(event: KeyboardEvent): void {
    const data = this.data;
    if (!data) return;
    const { selection } = data;
    const mod = event.ctrlKey || event.metaKey;
    const columns = this.ui?.columns.length ?? 0;
    const from = { row: selection.active, column: this.grid.activeColumnIndex };
    const extent = { rows: data.view.rows.length, columns, page: this.grid.pageSize };
    const to = navigate(event.key, mod, from, extent);
    if (event.key === 'ArrowUp' && selection.active <= 0 && !event.shiftKey) {
      // Up from the first row reaches the column headers, where sorting and resizing live.
      event.preventDefault();
      this.grid.focusHeader(from.column);
    } else if (to && !event.altKey) {
      event.preventDefault();
      if (to.column !== from.column) this.grid.setActiveColumn(to.column);
      if (to.row !== from.row || to.column === from.column) {
        if (!event.shiftKey) selection.anchor = to.row;
        this.moveActive(to.row, event.shiftKey);
        if (!event.shiftKey) selection.anchor = selection.active;
      }
    } else if (event.key === ' ') {
      event.preventDefault();
      if (data.view.rows[selection.active] === undefined) return;
      selection.toggle(data.view.rows, selection.active);
      this.grid.invalidate();
      this.updateStatusLine();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      this.openDetails(selection.active);
    } else if (event.key === 'Escape') {
      this.details.hide();
      selection.clear();
      this.grid.invalidate();
      this.updateStatusLine();
    } else if (mod && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      selection.range(data.view.rows, 0, data.view.rows.length - 1);
      this.grid.invalidate();
      this.updateStatusLine();
    } else if (mod && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      // Several rows selected: those rows; otherwise the one cell the keyboard is on.
      if (selection.count > 1) this.copy('csv');
      else this.copyCell(selection.active, this.grid.activeColumnIndex);
    } else if (event.key.length === 1 && !mod && !event.altKey) {
      // Type-to-search: the first printable key moves focus to the search box and lands in it.
      event.preventDefault();
      this.filters.search.focus();
      this.filters.search.value += event.key;
      this.updateFilter({ search: this.filters.search.value });
    }
  }

  /** A right-click on a row not in the selection selects just it, so the menu acts on what is highlighted. */
  private contextRow(position: number, column: number): void {
    const data = this.data;
    if (!data) return;
    const row = data.view.rows[position];
    if (row !== undefined && data.selection.selected[row] !== 1) data.selection.only(data.view.rows, position);
    this.grid.setActiveColumn(column);
    this.moveActive(position, false);
  }

  /** An entry of VS Code's context menu, picked on the cell at store row `row`, column `column`. */
  private contextAction(message: ContextActionMessage): void {
    const { data, ui } = this;
    if (!data || !ui || message.row >= data.store.rowCount || !hasColumn(data.store, message.column)) return;
    const { row, column } = message;
    const value = cellText(data.store, column, row);
    switch (message.action) {
      case 'copyCell':
        this.api.postMessage({ type: 'copyText', text: value });
        return;
      case 'copyRowsCsv':
      case 'copyEmails': {
        const rows =
          data.selection.selected[row] === 1 ? data.selection.rowsForCopy(data.view.rows) : Uint32Array.of(row);
        this.api.postMessage({ type: 'copy', what: message.action === 'copyEmails' ? 'emails' : 'csv', rows });
        return;
      }
      case 'filterToValue':
      case 'excludeValue':
        this.filters.columnFilters.add({
          column,
          text: `=${value}`,
          ...(message.action === 'excludeValue' ? { exclude: true } : {}),
        });
        return;
      case 'showRowDetails':
        this.details.show(data.store, row);
        return;
      case 'verifyAgain':
        this.verifyAgain(data.selection.selected[row] === 1 ? data.selection.rowsForCopy(data.view.rows) : [row]);
        return;
    }
  }

  /**
   * Sends the rows' addresses to the host, which confirms and creates the batch. Empty and overlong
   * cells are not addresses; more than one batch's worth is refused here with a line saying so.
   */
  private verifyAgain(rows: ArrayLike<number>): void {
    const data = this.data;
    if (!data) return;
    if (rows.length > MAX_VERIFY_AGAIN_EMAILS) {
      this.statusLine.textContent = TEXT.tooManyAgain(formatCount(MAX_VERIFY_AGAIN_EMAILS));
      return;
    }
    const emails: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const email = cellText(data.store, 'email', rows[i]).trim();
      if (email !== '' && email.length <= MAX_EMAIL_LENGTH) emails.push(email);
    }
    if (emails.length > 0) this.api.postMessage({ type: 'verifyAgain', emails });
  }

  private copyCell(position: number, columnIndex: number): void {
    const { data, ui } = this;
    const row = data?.view.rows[position];
    const column = ui?.columns[columnIndex];
    if (!data || row === undefined || column === undefined) return;
    this.api.postMessage({ type: 'copyText', text: cellText(data.store, column, row) });
  }

  private openDetails(position: number): void {
    const data = this.data;
    if (!data) return;
    const row = data.view.rows[position];
    if (row !== undefined) this.details.show(data.store, row);
  }

  /** Copies the selection (or the active row) through the host, which owns the clipboard and CSV format. */
  private copy(what: 'csv' | 'emails'): void {
    const data = this.data;
    if (!data || data.view.rows.length === 0) return;
    this.api.postMessage({ type: 'copy', what, rows: data.selection.rowsForCopy(data.view.rows) });
  }

  private exportView(format: 'csv' | 'json', target: 'file' | 'tab'): void {
    const data = this.data;
    if (!data) return;
    // A copy: the view is a window on a reused buffer, and cloning a view would send all of it.
    this.api.postMessage({ type: 'export', format, target, rows: data.view.rows.slice() });
  }

  private showError(message: string, canRetry: boolean): void {
    this.overlay.hidden = false;
    this.overlay.setAttribute('role', 'alert');
    this.overlay.classList.remove('skeleton');
    this.overlay.replaceChildren(el('p', { className: 'error', text: message }));
    if (canRetry) {
      this.overlay.append(
        button(t('Retry'), 'refresh', () => {
          this.showSkeleton();
          this.api.postMessage({ type: 'retry' });
        }),
      );
    }
  }
}

/**
 * Drops what saved state says about extra columns this store lacks (a file edited since, or state
 * written for another file): a sort or filter on a column that is not there would read it as empty.
 */
function keepColumnsOf(store: ResultsStore, ui: UiState): void {
  const has = (id: ColumnId) => hasColumn(store, id);
  if (!ui.columns.every(has)) ui.columns = ui.columns.filter(has);
  if (!ui.sort.every((key) => has(key.column))) ui.sort = ui.sort.filter((key) => has(key.column));
  const columns = ui.filter.columns;
  if (columns && !columns.every((filter) => has(filter.column))) {
    const kept = columns.filter((filter) => has(filter.column));
    ui.filter = { ...ui.filter, columns: kept };
    if (kept.length === 0) delete ui.filter.columns;
  }
}
