import * as vscode from 'vscode';
import { Redactor } from '../core/redactor';

/** The "Bouncer" log channel, with every known secret masked before a line is written. */
export class BouncerLog implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly redactor = new Redactor();

  constructor() {
    this.channel = vscode.window.createOutputChannel('Bouncer', { log: true });
  }

  /** Registers a value that must never appear in the log. */
  addSecret(value: string | undefined): void {
    this.redactor.add(value);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  debug(message: string): void {
    this.channel.debug(this.redact(message));
  }
  info(message: string): void {
    this.channel.info(this.redact(message));
  }
  warn(message: string): void {
    this.channel.warn(this.redact(message));
  }
  error(message: string): void {
    this.channel.error(this.redact(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
