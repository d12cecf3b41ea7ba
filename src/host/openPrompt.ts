import * as vscode from 'vscode';
import { localCount } from './units';
import { parseBatchInput } from '../core/batchLink';
import { batchInputProblemText } from './errorMessages';
import type { BatchEntry } from '../core/batchHistory';
import type { ResultsView } from '../core/openArgs';
import { DOWNLOAD_FILTERS, isDownloadFilter, type DownloadFilter } from '../core/records';
import type { OpenStepSeen, TestSeam } from './prompts';

/** What the open prompt collects. */
export interface OpenChoices {
  batchId: string;
  filter: DownloadFilter;
  view: ResultsView;
}

export interface OpenPromptDeps {
  /** Batches of the current API origin, newest first (the history). */
  recent: () => readonly BatchEntry[];
  /** The `bouncer.defaultFilter` setting: pre-selected until the person has picked one. */
  defaultFilter: () => DownloadFilter;
  /** Where the last filter and view picked are kept, across windows and restarts. */
  memento: vscode.Memento;
  seam: TestSeam | undefined;
}

/** One row of a step. */
export interface StepChoice<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

/** One step of the prompt, as the person (or the test seam) sees it. */
export interface Step<T> {
  title: string;
  step: number;
  totalSteps: number;
  placeholder: string;
  choices: StepChoice<T>[];
  /** The choice selected when the step opens. */
  active?: T;
  /** Text already in the box when the step opens (an ID typed before going Back). */
  value?: string;
  /** Turns typed text into a choice of its own, or says why it is not one (the batch step). */
  typed?: (text: string) => { ok: true; choice: StepChoice<T> } | { ok: false; message: string };
}

/** A value, "go back a step", or undefined when the person closed the prompt. */
export type StepAnswer<T> = { value: T } | 'back' | undefined;

const LAST_CHOICES_KEY = 'bouncer.openPrompt.last';

/**
 * The multi-step prompt behind the `bouncer.open*` commands: batch (recent batches offered, an ID or
 * a link typed), then status filter, then view unless the command fixes it. Back returns to the
 * step before with its answer kept; the filter and view picked last are offered first next time.
 */
export async function askOpenChoices(deps: OpenPromptDeps, fixedView?: ResultsView): Promise<OpenChoices | undefined> {
  const ask = deps.seam?.openAnswers.length ? seamAsker(deps.seam) : showStep;
  const last = readLast(deps.memento);
  const totalSteps = fixedView ? 2 : 3;
  let batchId: string | undefined;
  let filter: DownloadFilter | undefined;
  let view: ResultsView | undefined = fixedView;
  for (let step = 1; ;) {
    if (step === 1) {
      const answer = await ask(batchStep(deps.recent(), totalSteps, batchId));
      if (answer === undefined || answer === 'back') return undefined;
      batchId = answer.value;
      step = 2;
    } else if (step === 2) {
      const entry = deps.recent().find((e) => e.batchId === batchId);
      const answer = await ask(filterStep(entry, totalSteps, filter ?? last.filter ?? deps.defaultFilter()));
      if (answer === undefined) return undefined;
      if (answer === 'back') {
        step = 1;
        continue;
      }
      filter = answer.value;
      step = fixedView ? 4 : 3;
    } else if (step === 3) {
      const answer = await ask(viewStep(view ?? last.view ?? 'table'));
      if (answer === undefined) return undefined;
      if (answer === 'back') {
        step = 2;
        continue;
      }
      view = answer.value;
      step = 4;
    } else {
      if (!batchId || !filter || !view) return undefined;
      await deps.memento.update(LAST_CHOICES_KEY, { filter, view: fixedView ? last.view : view });
      return { batchId, filter, view };
    }
  }
}

function readLast(memento: vscode.Memento): { filter?: DownloadFilter; view?: ResultsView } {
  const raw = memento.get<{ filter?: unknown; view?: unknown }>(LAST_CHOICES_KEY);
  const filter = isDownloadFilter(raw?.filter) ? raw.filter : undefined;
  const view = raw?.view === 'table' || raw?.view === 'json' || raw?.view === 'csv' ? raw.view : undefined;
  return { filter, view };
}

function batchStep(recent: readonly BatchEntry[], totalSteps: number, previous?: string): Step<string> {
  return {
    title: vscode.l10n.t('Open Batch Results'),
    step: 1,
    totalSteps,
    placeholder: vscode.l10n.t("Type a batch ID or paste a link to the batch from Bouncer's web app"),
    choices: recent.map((entry) => ({
      label: entry.name ?? entry.batchId,
      description: entry.name ? entry.batchId : undefined,
      detail: describeEntry(entry),
      value: entry.batchId,
    })),
    active: previous,
    value: previous && !recent.some((e) => e.batchId === previous) ? previous : undefined,
    typed: (text) => {
      const parsed = parseBatchInput(text);
      if (!parsed.ok) return { ok: false, message: batchInputProblemText(parsed.problem) };
      const label = parsed.fromLink
        ? vscode.l10n.t('Open batch {0} (from the link)', parsed.id)
        : vscode.l10n.t('Open batch {0}', parsed.id);
      return { ok: true, choice: { label: `$(arrow-right) ${label}`, value: parsed.id } };
    },
  };
}

function describeEntry(entry: BatchEntry): string {
  const parts: string[] = [];
  if (entry.pending) parts.push(vscode.l10n.t('not completed yet'));
  if (entry.total !== undefined) parts.push(vscode.l10n.t('{0} results', localCount(entry.total)));
  parts.push(vscode.l10n.t('last opened {0}', new Date(entry.lastUsedAt).toLocaleString(vscode.env.language)));
  return parts.join(' · ');
}

function filterStep(entry: BatchEntry | undefined, totalSteps: number, active: DownloadFilter): Step<DownloadFilter> {
  const labels: Record<DownloadFilter, string> = {
    all: vscode.l10n.t('All results'),
    deliverable: vscode.l10n.t('Deliverable'),
    risky: vscode.l10n.t('Risky'),
    undeliverable: vscode.l10n.t('Undeliverable'),
    unknown: vscode.l10n.t('Unknown'),
  };
  const count = (filter: DownloadFilter): number | undefined =>
    filter === 'all' ? entry?.total : Object.hasOwn(entry?.counts ?? {}, filter) ? entry?.counts[filter] : undefined;
  return {
    title: vscode.l10n.t('Which results?'),
    step: 2,
    totalSteps,
    placeholder: vscode.l10n.t('Status filter'),
    choices: DOWNLOAD_FILTERS.map((filter) => {
      const n = count(filter);
      return {
        label: labels[filter],
        description: n === undefined ? filter : `${filter} · ${localCount(n)}`,
        value: filter,
      };
    }),
    active,
  };
}

function viewStep(active: ResultsView): Step<ResultsView> {
  return {
    title: vscode.l10n.t('Show results as'),
    step: 3,
    totalSteps: 3,
    placeholder: vscode.l10n.t('View'),
    choices: [
      {
        label: '$(table) ' + vscode.l10n.t('Table'),
        detail: vscode.l10n.t('Sort, filter and search in a fast table'),
        value: 'table',
      },
      {
        label: '$(json) ' + vscode.l10n.t('JSON'),
        detail: vscode.l10n.t('Open as a new JSON editor tab'),
        value: 'json',
      },
      { label: '$(file) ' + vscode.l10n.t('CSV'), detail: vscode.l10n.t('Open as a new CSV editor tab'), value: 'csv' },
    ],
    active,
  };
}

type Item<T> = vscode.QuickPickItem & { value?: T };

/** Shows one step in a quick pick with a step counter, and a Back button after the first step. */
function showStep<T>(step: Step<T>): Promise<StepAnswer<T>> {
  const pick = vscode.window.createQuickPick<Item<T>>();
  pick.title = step.title;
  pick.step = step.step;
  pick.totalSteps = step.totalSteps;
  pick.placeholder = step.placeholder;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.buttons = step.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  const fixed: Item<T>[] = step.choices.map((c) => ({ ...c }));
  let typed: Item<T> | undefined;
  if (step.value) pick.value = step.value;
  const refresh = () => {
    const text = pick.value.trim();
    typed = undefined;
    if (step.typed && text) {
      const result = step.typed(text);
      // alwaysShow: the row for what was typed stays on top whatever the filter matches.
      typed = result.ok
        ? { ...result.choice, alwaysShow: true }
        : { label: `$(error) ${result.message}`, alwaysShow: true, value: undefined };
      // A recent batch with exactly this ID is the same choice: keep one row, the recent one.
      if (result.ok && fixed.some((c) => c.value === result.choice.value)) typed = undefined;
    }
    pick.items = typed ? [typed, ...fixed] : fixed;
    if (typed) pick.activeItems = [typed];
  };
  refresh();
  const active = fixed.find((c) => c.value === step.active);
  if (active) pick.activeItems = [active];

  return new Promise<StepAnswer<T>>((resolve) => {
    const disposables: vscode.Disposable[] = [];
    const finish = (answer: StepAnswer<T>) => {
      disposables.forEach((d) => d.dispose());
      pick.dispose();
      resolve(answer);
    };
    disposables.push(
      pick.onDidChangeValue(refresh),
      pick.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) finish('back');
      }),
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
        // Typed text wins over a stale row: Enter can come before the row for the text was added.
        if ((!chosen || chosen === typed) && step.typed && pick.value.trim()) {
          const result = step.typed(pick.value.trim());
          if (result.ok) finish({ value: result.choice.value });
          return;
        }
        if (chosen?.value !== undefined) finish({ value: chosen.value });
      }),
      pick.onDidHide(() => finish(undefined)),
    );
    pick.show();
  });
}

/**
 * In tests, answers come from `TestSeam.openAnswers` instead of a person, and each step shown is
 * recorded in `TestSeam.openSteps`. An answer that does not fit the step (invalid text, an unknown
 * label) is recorded as the step's error, and the next answer is tried, as a person would retype.
 */
function seamAsker(seam: TestSeam) {
  return async <T>(step: Step<T>): Promise<StepAnswer<T>> => {
    const seen: OpenStepSeen = {
      title: step.title,
      step: step.step,
      totalSteps: step.totalSteps,
      labels: step.choices.map((c) => c.label),
      active: step.choices.find((c) => c.value === step.active)?.label,
      value: step.value,
      errors: [],
    };
    seam.openSteps.push(seen);
    for (;;) {
      const answer = seam.openAnswers.shift();
      if (!answer || answer.type === 'cancel') return undefined;
      if (answer.type === 'back') return step.step > 1 ? 'back' : undefined;
      if (answer.type === 'pick') {
        const choice = step.choices.find((c) => c.label === answer.label || c.label.endsWith(` ${answer.label}`));
        if (choice) return { value: choice.value };
        seen.errors.push(`no choice "${answer.label}"`);
        continue;
      }
      const result = step.typed?.(answer.text);
      if (result?.ok) return { value: result.choice.value };
      seen.errors.push(result ? result.message : 'this step takes no typed text');
    }
  };
}
