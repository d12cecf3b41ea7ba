import type { ColumnId } from '../model/store';
import { isObject } from '../core/guards';
import { isColumnId } from '../model/columns';
import type { TableContextAction } from '../shared/protocol';
import type { BouncerLog } from './log';

/** A table that can act on a context-menu entry (a results panel; the table editor too). */
export interface TableContextTarget {
  contextAction(action: TableContextAction, row: number, column: ColumnId): void;
}

/**
 * The commands of the table's `webview/context` menu. VS Code calls them with the merged
 * `data-vscode-context` of the right-clicked cell (`{ webview, webviewSection, row, column }`); they
 * hand the entry to the table in front, whose webview acts on its own view of the rows (selection,
 * filters), so nothing here needs the data.
 */
export class TableContextCommands {
  constructor(
    private readonly activeTable: () => TableContextTarget | undefined,
    private readonly log: BouncerLog,
  ) {}

  run(action: TableContextAction, context: unknown): void {
    const cell = parseCellContext(context);
    if (!cell) {
      // Run from somewhere without a cell (a keybinding, another extension): nothing to act on.
      this.log.warn(`Table: ${action} needs a table cell; it was run without one.`);
      return;
    }
    const table = this.activeTable();
    if (!table) {
      this.log.warn(`Table: ${action} found no table in front.`);
      return;
    }
    table.contextAction(action, cell.row, cell.column);
  }
}

/** The cell a context menu was opened on, from the webview's (untrusted) context object. */
export function parseCellContext(value: unknown): { row: number; column: ColumnId } | undefined {
  if (!isObject(value)) return undefined;
  const { row, column } = value;
  if (typeof row !== 'number' || !Number.isInteger(row) || row < 0 || !isColumnId(column)) return undefined;
  return { row, column };
}
