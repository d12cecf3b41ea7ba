import * as vscode from 'vscode';
import { localCount } from './units';
import type { BatchApi } from '../core/batchApi';
import { isCancellation } from '../core/errors';
import type { ApiTarget } from './downloadService';
import type { BouncerLog } from './log';

/** The credits endpoint allows 10 calls a minute; a status bar item needs far fewer. */
export const CREDITS_REFRESH_MS = 10 * 60 * 1000;

export interface CreditsStatusBarDeps {
  log: BouncerLog;
  /** The configured API, or undefined while the URL setting is unusable. */
  target(): ApiTarget | undefined;
  /** Whether a key is stored for that API (never asks for one). */
  hasKey(origin: string): Promise<boolean>;
  /** The API with its stored key, without asking for one. */
  connect(target: ApiTarget): Promise<BatchApi>;
  /** The command a click runs (refresh now). */
  command: string;
}

/** What the item shows, for tests. */
export interface CreditsSnapshot {
  visible: boolean;
  text: string;
  /** The origin the shown credits belong to. */
  origin?: string;
  credits?: number;
}

/**
 * A status bar item with the credits left for the API the settings point at. It refreshes on its
 * own at most every 10 minutes, and at once after a creation or a click; it is hidden while no key
 * is stored. A failed refresh keeps the last good count, and says so in the tooltip.
 */
export class CreditsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bouncer.credits', vscode.StatusBarAlignment.Right, 100);
  private readonly timer: ReturnType<typeof setInterval>;
  private shown: { origin: string; credits: number; at: number } | undefined;
  private visible = false;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: CreditsStatusBarDeps) {
    this.item.name = vscode.l10n.t('Bouncer Credits');
    this.item.command = deps.command;
    this.timer = setInterval(() => void this.refresh(false), CREDITS_REFRESH_MS);
  }

  /**
   * Reads the credits again; unless `force`, only when the count shown is older than 10 minutes or
   * belongs to another API. Never throws: failures go to the log and the tooltip.
   */
  refresh(force: boolean): Promise<void> {
    // One request at a time: a click during a refresh waits for it instead of spending another call.
    this.running ??= this.update(force).finally(() => (this.running = undefined));
    return this.running;
  }

  describe(): CreditsSnapshot {
    return { visible: this.visible, text: this.item.text, origin: this.shown?.origin, credits: this.shown?.credits };
  }

  dispose(): void {
    clearInterval(this.timer);
    this.item.dispose();
  }

  private async update(force: boolean): Promise<void> {
    const target = this.deps.target();
    if (target === undefined || !(await this.deps.hasKey(target.origin))) {
      this.hide();
      return;
    }
    const sameApi = this.shown?.origin === target.origin;
    if (!sameApi) this.shown = undefined;
    if (!force && sameApi && this.shown !== undefined && Date.now() - this.shown.at < CREDITS_REFRESH_MS) return;
    try {
      const api = await this.deps.connect(target);
      const credits = await api.credits(AbortSignal.timeout(30_000));
      this.shown = { origin: target.origin, credits, at: Date.now() };
      this.item.text = `$(credit-card) ${localCount(credits)}`;
      this.item.tooltip = vscode.l10n.t(
        'Bouncer credits left for {0}: {1}. Click to refresh.',
        target.origin,
        localCount(credits),
      );
      this.item.accessibilityInformation = {
        label: vscode.l10n.t('{0} Bouncer credits left', localCount(credits)),
      };
    } catch (error) {
      if (isCancellation(error)) {
        this.hide();
        return;
      }
      this.deps.log.warn(`Could not read the credits left: ${error instanceof Error ? error.message : String(error)}`);
      if (this.shown === undefined) this.item.text = '$(credit-card) ?';
      this.item.tooltip = vscode.l10n.t(
        'Could not read the Bouncer credits left for {0}; see the log. Click to try again.',
        target.origin,
      );
    }
    this.item.show();
    this.visible = true;
  }

  private hide(): void {
    this.item.hide();
    this.visible = false;
    this.shown = undefined;
  }
}
