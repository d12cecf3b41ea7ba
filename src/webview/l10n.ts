/**
 * The webview's strings. The host hands over `vscode.l10n.bundle` (message → translation; undefined
 * for English) in `init`; `t` looks each English source text up there and falls back to it, so the
 * English text in the code is both the key and the default, as with `vscode.l10n.t` on the host.
 */
let bundle: Readonly<Record<string, string>> = {};
let locale = 'en';
let numbers = new Intl.NumberFormat('en');

/** Sets the translations and the display language (`vscode.env.language`) for everything shown after. */
export function configureL10n(
  contents: Readonly<Record<string, string>> | undefined,
  language: string | undefined,
): void {
  bundle = contents ?? {};
  try {
    numbers = new Intl.NumberFormat(language || 'en');
    locale = language || 'en';
  } catch {
    // An unknown language tag: keep English number formatting rather than failing the page.
    numbers = new Intl.NumberFormat('en');
    locale = 'en';
  }
  document.documentElement.lang = locale;
}

/** The translation of `message` with `{0}`, `{1}`… replaced by `args`. */
export function t(message: string, ...args: (string | number)[]): string {
  const text = Object.hasOwn(bundle, message) ? bundle[message] : message;
  return args.length === 0
    ? text
    : text.replace(/\{(\d+)\}/g, (match, index: string) => {
        const arg = args[Number(index)];
        return arg === undefined ? match : String(arg);
      });
}

/** A count in the display language: 1234567 → "1,234,567" in English, "1.234.567" in German. */
export function formatCount(n: number): string {
  return numbers.format(n);
}

/** A number (score, percentage) in the display language. */
export function formatNumber(n: number, fractionDigits = 0): string {
  return n.toLocaleString(locale, { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
}
