import { concatStores } from '../model/storeConcat';
import type { ResultsStore } from '../model/store';
import { parseStore, type DataMessage, type HostMessage } from '../shared/protocol';

/** Fetches and checks the store at `url`, which must hold `rows` rows; undefined when it cannot. */
export type StoreFetcher = (source: { url: string; rows: number }) => Promise<ResultsStore | undefined>;

/**
 * Turns the host's rows messages into the stores the table shows, in order: `data` as it is,
 * `dataUrl` once fetched, and the `rowsUrl` parts of a download joined to the rows shown when the
 * last one comes. A store that arrives after a newer rows message (or a load error) is dropped; one
 * that cannot be fetched, checked or joined is refused, and the host posts it instead.
 */
export class RowsInbox {
  /** Bumped by every message that replaces the rows: older fetches land on nothing. */
  private generation = 0;
  /** The rows shown from row 0 on (possibly still being fetched), then the parts kept after them. */
  private pieces: Promise<ResultsStore | undefined>[] = [];
  /** The row the next part must start at; -1 when no part can follow. */
  private next = -1;

  constructor(
    private readonly fetchStore: StoreFetcher,
    private readonly deliver: (message: DataMessage) => void,
    private readonly refuse: (url: string) => void,
  ) {}

  /** Takes a rows message (true); a load error also ends the rows (false: the table shows it too). */
  take(message: HostMessage): boolean {
    switch (message.type) {
      case 'data':
        this.generation++;
        this.startFrom(message.complete ? undefined : Promise.resolve(message.store), message.store.rowCount);
        this.deliver(message);
        return true;
      case 'dataUrl': {
        const generation = ++this.generation;
        const fetched = this.fetchStore(message);
        this.startFrom(message.complete ? undefined : fetched, message.rows);
        void fetched.then((store) => {
          if (generation !== this.generation) return;
          if (store) this.deliver({ type: 'data', store, complete: message.complete });
          else this.refuse(message.url);
        });
        return true;
      }
      case 'rowsUrl': {
        if (message.firstRow !== this.next || this.pieces.length === 0) {
          // Not after the rows held (a page that reloaded mid-download): parts stop; the end is refused.
          if (!message.complete) {
            this.next = -1;
            return true;
          }
          this.generation++;
          this.startFrom(undefined, 0);
          this.refuse(message.url);
          return true;
        }
        this.pieces.push(this.fetchStore(message));
        this.next += message.rows;
        if (!message.complete) return true;
        const generation = ++this.generation;
        const pieces = this.pieces;
        this.startFrom(undefined, 0);
        void Promise.all(pieces).then((stores) => {
          if (generation !== this.generation) return;
          const whole = stores.every((store) => store !== undefined) ? concatStores(stores) : undefined;
          // Joined from checked parts by our own code, and checked once more: the page trusts nothing.
          const checked = whole && parseStore(whole);
          if (checked) this.deliver({ type: 'data', store: checked, complete: true });
          else this.refuse(message.url);
        });
        return true;
      }
      case 'loadError':
        this.generation++;
        this.startFrom(undefined, 0);
        return false;
      default:
        return false;
    }
  }

  private startFrom(base: Promise<ResultsStore | undefined> | undefined, rows: number): void {
    this.pieces = base ? [base] : [];
    this.next = base ? rows : -1;
  }
}
