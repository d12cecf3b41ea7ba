import { emptyFilter } from '../model/filter';
import type { PanelSource, UiState } from '../shared/protocol';
import type { VsCodeApi } from './vscodeApi';

/** How long scrolling may go unsaved: saving on every scroll event would be wasted work. */
const SCROLL_SAVE_DELAY_MS = 250;

/**
 * The table's small UI state (columns, sort, filter, scroll position), kept with `setState` so a
 * window reload brings the table back as it was. The host keeps a copy through the panel serializer.
 */
export class SavedUi {
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: VsCodeApi,
    private ui: UiState | undefined,
  ) {}

  get current(): UiState | undefined {
    return this.ui;
  }

  /** The state for this panel's results: the webview's own saved state wins (it is the newest); the host's copy covers a fresh page. */
  adopt(source: PanelSource, hostUi: UiState | undefined): UiState {
    const same = (ui: UiState | undefined) =>
      ui &&
      ui.source.batchId === source.batchId &&
      ui.source.filter === source.filter &&
      ui.source.originKey === source.originKey;
    if (!same(this.ui)) this.ui = same(hostUi) ? hostUi : undefined;
    this.ui ??= fresh(source);
    this.save();
    return this.ui;
  }

  /** The state data is shown with, made empty if data comes before `init`. */
  ensure(): UiState {
    return (this.ui ??= fresh({ batchId: '', filter: 'all', originKey: '' }));
  }

  save(): void {
    if (this.ui) this.api.setState(this.ui);
  }

  saveSoon(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SCROLL_SAVE_DELAY_MS);
  }
}

function fresh(source: PanelSource): UiState {
  return { source, columns: [], sort: [], filter: emptyFilter(), scrollRow: 0 };
}
