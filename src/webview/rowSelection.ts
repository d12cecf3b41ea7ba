import { rowsForAction, selectRange } from '../model/view';

/**
 * Which rows are selected and where the keyboard cursor is. Rows are marked by their index in the
 * store, so a new sort or filter keeps them; `anchor` and `active` are positions in the current view.
 */
export class RowSelection {
  readonly selected: Uint8Array;
  count = 0;
  /** Where a shift-click or shift-arrow extends from. */
  anchor = 0;
  /** The keyboard cursor. */
  active = 0;

  /** `carry`: the selection over the opening rows, when the whole batch replaces them (same row indices). */
  constructor(rowCount: number, carry?: RowSelection) {
    this.selected = new Uint8Array(rowCount);
    if (!carry) return;
    this.selected.set(carry.selected.subarray(0, Math.min(carry.selected.length, rowCount)));
    this.count = carry.count;
    this.anchor = carry.anchor;
    this.active = carry.active;
  }

  clear(): void {
    if (this.count === 0) return;
    this.selected.fill(0);
    this.count = 0;
  }

  /** Selects just this row, and extends from it next. */
  only(view: Uint32Array, position: number): void {
    this.clear();
    this.selected[view[position]] = 1;
    this.count = 1;
    this.anchor = position;
  }

  /** Adds or removes one row (ctrl-click, space), and extends from it next. */
  toggle(view: Uint32Array, position: number): void {
    const row = view[position];
    this.selected[row] ^= 1;
    this.count += this.selected[row] === 1 ? 1 : -1;
    this.anchor = position;
  }

  /** Selects exactly the view positions from..to, either order. */
  range(view: Uint32Array, from: number, to: number): void {
    this.clear();
    this.count = selectRange(view, this.selected, from, to);
  }

  /** What a copy acts on: the selected rows in view order, or else the active row. */
  rowsForCopy(view: Uint32Array): Uint32Array {
    return this.count > 0
      ? rowsForAction(view, this.selected, this.count)
      : view.subarray(this.active, this.active + 1).slice();
  }
}
