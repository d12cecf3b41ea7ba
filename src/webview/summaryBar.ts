import { STATUSES } from '../core/records';
import type { Summary } from '../model/stats';
import { countsByValue } from '../model/stats';
import type { ResultsStore } from '../model/store';
import { el } from './dom';
import { formatCount, formatNumber, t } from './l10n';

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
 * The summary bar, which is also the status filter: the total, one proportional segment per status
 * (click: only that status; hover lists its reasons), and one toggle chip per status with the count the
 * other filters leave (click: add or remove it).
 */
export function renderSummary(
  container: HTMLElement,
  store: ResultsStore,
  summary: Summary,
  viewCounts: Uint32Array,
  selectedStatuses: readonly string[],
  loading: boolean,
  onStatus: (status: string, only: boolean) => void,
): void {
  const values = store.dict.status.values;
  const bar = el('div', { className: 'summary-bar', attrs: { role: 'img', 'aria-label': t('Share of each status') } });
  const legend = el('div', {
    className: 'summary-legend chips',
    attrs: { role: 'group', 'aria-label': t('Status filter') },
  });
  for (const code of statusOrder(values)) {
    const count = summary.statusCounts[code];
    const status = values[code];
    const selected = selectedStatuses.includes(status);
    if (count === 0 && !selected) continue;
    const kind = KNOWN.has(status) ? status : 'other';
    const reasons = countsByValue(store.dict.reason.values, summary.statusReason[code])
      .map(({ value, count: n }) => `${value || t('(none)')}: ${formatCount(n)}`)
      .join('\n');
    const share = formatNumber((count / Math.max(1, summary.total)) * 100, 1);
    const segment = el('div', {
      className: 'summary-segment',
      title: `${t('{0}: {1} ({2}%)', status, formatCount(count), share)}\n${reasons}`,
    });
    segment.dataset.status = kind;
    segment.style.flexGrow = String(count);
    segment.addEventListener('click', () => onStatus(status, true));
    bar.append(segment);
    const entry = el(
      'button',
      {
        className: 'summary-entry chip',
        title: `${t('Show or hide {0}', status)}\n${reasons}`,
        attrs: { type: 'button', 'aria-pressed': String(selected), 'data-value': status },
      },
      [
        el('span', { className: 'swatch' }),
        el('span', { text: status }),
        el('span', { className: 'count', text: formatCount(viewCounts[code] ?? 0) }),
      ],
    );
    entry.dataset.status = kind;
    entry.addEventListener('click', () => onStatus(status, false));
    legend.append(entry);
  }
  const total = loading
    ? t('{0} results so far, loading…', formatCount(summary.total))
    : t('{0} results', formatCount(summary.total));
  container.replaceChildren(el('span', { className: 'summary-total', text: total }), bar, legend);
}

/**
 * Filter chips for one dictionary column (reason): every value with its faceted count, pressed when
 * selected; values the schema does not list appear like the others.
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
