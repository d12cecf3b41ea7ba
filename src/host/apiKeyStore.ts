import * as vscode from 'vscode';

const KEY_PREFIX = 'bouncer.apiKey:';
const CONTEXT_KEY = 'bouncer.hasApiKey';

/**
 * The API key, kept only in SecretStorage and scoped to one API origin, so a key for the
 * real service is never sent to a local emulator (or anywhere else) and the other way round.
 * Keeps the `bouncer.hasApiKey` context key true for the current origin, across windows.
 */
export class ApiKeyStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly currentOrigin: () => string | undefined,
    private readonly onKeyRead: (key: string) => void,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(KEY_PREFIX)) {
        void this.refreshContext();
        this.emitter.fire();
      }
    });
  }

  async get(origin: string): Promise<string | undefined> {
    const key = await this.secrets.get(KEY_PREFIX + origin);
    if (key) this.onKeyRead(key);
    return key || undefined;
  }

  async set(origin: string, key: string): Promise<void> {
    this.onKeyRead(key);
    await this.secrets.store(KEY_PREFIX + origin, key);
    await this.refreshContext();
  }

  async delete(origin: string): Promise<void> {
    await this.secrets.delete(KEY_PREFIX + origin);
    await this.refreshContext();
  }

  /** Re-evaluates `bouncer.hasApiKey` for the origin currently configured. */
  async refreshContext(): Promise<void> {
    const origin = this.currentOrigin();
    const has = origin !== undefined && (await this.secrets.get(KEY_PREFIX + origin)) !== undefined;
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, has);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
