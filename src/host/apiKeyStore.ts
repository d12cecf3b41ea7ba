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
  /**
   * Each origin's key as this window last read or wrote it. A SecretStorage read is a round trip to
   * VS Code's main process, measured at 100–250 ms in a real VS Code, and every download paid it
   * before its request went out. Another window's change fires `onDidChange` here and drops the
   * entry, so the next read asks SecretStorage again; this window's own writes update it directly
   * (VS Code does not fire `onDidChange` in the window that wrote).
   */
  private readonly known = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly currentOrigin: () => string | undefined,
    private readonly onKeyRead: (key: string) => void,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(KEY_PREFIX)) {
        this.known.delete(e.key.slice(KEY_PREFIX.length));
        void this.refreshContext();
        this.emitter.fire();
      }
    });
  }

  async get(origin: string): Promise<string | undefined> {
    const key = await this.read(origin);
    if (key) this.onKeyRead(key);
    return key;
  }

  async set(origin: string, key: string): Promise<void> {
    this.onKeyRead(key);
    this.known.delete(origin);
    await this.secrets.store(KEY_PREFIX + origin, key);
    this.known.set(origin, Promise.resolve(key));
    await this.refreshContext();
  }

  async delete(origin: string): Promise<void> {
    this.known.delete(origin);
    await this.secrets.delete(KEY_PREFIX + origin);
    this.known.set(origin, Promise.resolve(undefined));
    await this.refreshContext();
  }

  /** Re-evaluates `bouncer.hasApiKey` for the origin currently configured (and so reads its key ahead). */
  async refreshContext(): Promise<void> {
    const origin = this.currentOrigin();
    const has = origin !== undefined && (await this.read(origin)) !== undefined;
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, has);
  }

  /** The stored key, from this window's copy when it has one; a failed read is not kept. */
  private read(origin: string): Promise<string | undefined> {
    let read = this.known.get(origin);
    if (!read) {
      const asked = Promise.resolve(this.secrets.get(KEY_PREFIX + origin)).then((key) => key || undefined);
      read = asked;
      this.known.set(origin, asked);
      asked.catch(() => {
        if (this.known.get(origin) === asked) this.known.delete(origin);
      });
    }
    return read;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
