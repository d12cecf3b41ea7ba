/**
 * The rows an action applies to: the selected rows in view order, or the whole view when nothing is
 * selected. `selected` is a per-row mask over the whole store.
 */
export function rowsForAction(view: Uint32Array, selected: Uint8Array, selectedCount: number): Uint32Array {
  if (selectedCount === 0) return view;
  const rows = new Uint32Array(selectedCount);
  let n = 0;
  for (let i = 0; i < view.length && n < selectedCount; i++) if (selected[view[i]] === 1) rows[n++] = view[i];
  return n === selectedCount ? rows : rows.slice(0, n);
}

/** Selects view positions from..to (inclusive, either order) in the mask; returns how many became selected. */
export function selectRange(view: Uint32Array, selected: Uint8Array, from: number, to: number): number {
  const lo = Math.max(0, Math.min(from, to));
  const hi = Math.min(view.length - 1, Math.max(from, to));
  let added = 0;
  for (let i = lo; i <= hi; i++) {
    if (selected[view[i]] === 0) {
      selected[view[i]] = 1;
      added++;
    }
  }
  return added;
}
