/** Where the active cell is and how far it can go. */
export interface CellPosition {
  row: number;
  column: number;
}

export interface GridExtent {
  rows: number;
  columns: number;
  /** Rows in one screen, for PageUp/PageDown. */
  page: number;
}

/**
 * The cell a navigation key moves to, as in a spreadsheet: arrows by one, Home/End to the row's first
 * and last cell, Ctrl/Cmd+Home/End to the first and last row, PageUp/PageDown by a screen.
 * Undefined for any other key. The result is clamped to the grid.
 */
export function navigate(key: string, mod: boolean, from: CellPosition, extent: GridExtent): CellPosition | undefined {
  let { row, column } = from;
  switch (key) {
    case 'ArrowDown':
      row++;
      break;
    case 'ArrowUp':
      row--;
      break;
    case 'ArrowRight':
      column++;
      break;
    case 'ArrowLeft':
      column--;
      break;
    case 'PageDown':
      row += extent.page;
      break;
    case 'PageUp':
      row -= extent.page;
      break;
    case 'Home':
      if (mod) row = 0;
      else column = 0;
      break;
    case 'End':
      if (mod) row = extent.rows - 1;
      else column = extent.columns - 1;
      break;
    default:
      return undefined;
  }
  return {
    row: Math.max(0, Math.min(extent.rows - 1, row)),
    column: Math.max(0, Math.min(extent.columns - 1, column)),
  };
}
