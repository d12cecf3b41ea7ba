import { STATUSES } from '../core/records';
import type { Summary } from '../model/stats';
import { countsByValue } from '../model/stats';
import type { ResultsStore } from '../model/store';
import { el, formatCount } from './dom';

const KNOWN = new Set<string>(STATUSES);

/** Status values in display order: documented ones first, then anything new the server sent. */
function statusOrder(values: readonly string[]): number[] {
  const codes = values.map((_, code) => code).filter((code) => code > 0);
  const rank = (code: number) => {
    const index = (STATUSES as readonly string[]).indexOf(values[code]);
    return index < 0 ? STATUSES.length : index;
  };
  return codes.sort((a, b) => rank(a) - rank(b) || (values[a] < values[b] ? -1 : 1));
}

/**
 * The summary bar: total, one proportional segment per status (hover lists its reasons), and a
 * legend whose entries filter to that status.
 */
export function renderSummary(
  container: HTMLElement,
  store: ResultsStore,
  summary: Summary,
  selectedStatuses: readonly string[],
  loading: boolean,
  onStatus: (status: string) => void,
): void {
  const values = store.dict.status.values;
  const bar = el('div', { className: 'summary-bar', attrs: { role: 'img', 'aria-label': 'Share of each status' } });
  const legend = el('div', { className: 'summary-legend' });
  for (const code of statusOrder(values)) {
    const count = summary.statusCounts[code];
    if (count === 0) continue;
    const status = values[code];
    const kind = KNOWN.has(status) ? status : 'other';
    const reasons = countsByValue(store.dict.reason.values, summary.statusReason[code])
      .map(({ value, count: n }) => `${value || '(none)'}: ${formatCount(n)}`)
      .join('\n');
    const share = ((count / summary.total) * 100).toFixed(1);
    const segment = el('div', {
      className: 'summary-segment',
      title: `${status}: ${formatCount(count)} (${share}%)\n${reasons}`,
    });
    segment.dataset.status = kind;
    segment.style.flexGrow = String(count);
    segment.addEventListener('click', () => onStatus(status));
    bar.append(segment);
    const entry = el(
      'button',
      {
        className: 'summary-entry',
        title: `Show only ${status}\n${reasons}`,
        attrs: { type: 'button', 'aria-pressed': String(selectedStatuses.includes(status)) },
      },
      [
        el('span', { className: 'swatch' }),
        el('span', { text: status }),
        el('span', { className: 'count', text: formatCount(count) }),
      ],
    );
    entry.dataset.status = kind;
    entry.addEventListener('click', () => onStatus(status));
    legend.append(entry);
  }
  const total = `${formatCount(summary.total)} results${loading ? ' so far, loading…' : ''}`;
  container.replaceChildren(el('span', { className: 'summary-total', text: total }), bar, legend);
}

/**
 * Filter chips for one dictionary column (status or reason): every value with its faceted count,
 * pressed when selected; values the schema does not list appear like the others.
 */
export function renderChips(
  container: HTMLElement,
  label: string,
  values: readonly string[],
  counts: Uint32Array,
  selected: readonly string[],
  onToggle: (value: string) => void,
): void {
  const chips = values
    .map((value, code) => ({ value, code, count: counts[code] }))
    .filter(({ code, count, value }) => code > 0 && (count > 0 || selected.includes(value)));
  chips.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  container.replaceChildren(
    el('span', { className: 'chips-label', text: label }),
    ...chips.map(({ value, count }) => {
      const chip = el(
        'button',
        {
          className: 'chip',
          attrs: { type: 'button', 'aria-pressed': String(selected.includes(value)), 'data-value': value },
        },
        [el('span', { text: value }), el('span', { className: 'count', text: formatCount(count) })],
      );
      chip.addEventListener('click', () => onToggle(value));
      return chip;
    }),
  );
}
