const REDACTED = '‹redacted›';

/**
 * Masks every registered secret in a text, with the one mask both the client and the log use.
 * Nothing hands the key to anything that logs, but a server could echo it back in an error body;
 * this is the last line of defence before a line reaches an error, the log or a message.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value that must never appear in output. Very short values are ignored: masking
   *  every `a` would wreck the log and protect nothing. */
  add(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a key that contains another key is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(REDACTED);
    }
    return out;
  }
}
