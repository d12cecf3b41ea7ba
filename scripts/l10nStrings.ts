import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { COLUMN_DEFS } from '../src/core/recordColumns';

/**
 * Every runtime string a translator has to translate: the first argument of each `vscode.l10n.t`
 * in `src/host` and of each `t` in `src/webview` (both read the same `vscode.l10n.bundle`), plus the
 * column labels the webview passes to `t` by reference. `@vscode/l10n-dev export` does the same job
 * when it is installed; this needs only the TypeScript compiler the build already has.
 */
export interface L10nStrings {
  /** English source text → where it is used (`path:line`), in first-seen order. */
  strings: Map<string, string[]>;
  /** Calls whose message is not a string literal: a translator's list cannot hold them. */
  nonLiteral: string[];
}

/** Where messages come from: the host calls `vscode.l10n.t`, the webview its own `t` (`src/webview/l10n.ts`). */
const SOURCES: ReadonlyArray<{ dir: string; isCall: (callee: ts.Expression) => boolean }> = [
  { dir: 'src/host', isCall: (callee) => callee.getText() === 'vscode.l10n.t' },
  { dir: 'src/webview', isCall: (callee) => ts.isIdentifier(callee) && callee.text === 't' },
];

/**
 * The webview translates column labels through `t(COLUMN_DEFS[id].label)` (`gridHeader.ts`): one
 * table of columns, so the labels are listed from it rather than copied into a second place.
 */
const BY_REFERENCE = 'src/webview/gridHeader.ts';

export function collectL10nStrings(root: string): L10nStrings {
  const strings = new Map<string, string[]>();
  const nonLiteral: string[] = [];
  const add = (message: string, where: string) => {
    const list = strings.get(message) ?? [];
    list.push(where);
    strings.set(message, list);
  };
  for (const { dir, isCall } of SOURCES) {
    for (const file of tsFiles(path.join(root, dir))) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && isCall(node.expression)) {
          const where = `${rel}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          const first = node.arguments[0];
          if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) add(first.text, where);
          else if (rel !== BY_REFERENCE) nonLiteral.push(`${where}: ${node.getText().slice(0, 80)}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  for (const [id, def] of Object.entries(COLUMN_DEFS)) add(def.label, `src/core/recordColumns.ts (column ${id})`);
  return { strings, nonLiteral };
}

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return tsFiles(full);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
    })
    .sort();
}

/**
 * The English bundle a translation starts from, in the format VS Code reads (`bundle.l10n.json`):
 * each message maps to itself; a translation copies it to `bundle.l10n.<locale>.json` and replaces
 * the values.
 */
export function englishBundle(found: L10nStrings): Record<string, string> {
  return Object.fromEntries([...found.strings.keys()].map((message) => [message, message]));
}

if (require.main === module) {
  // Run from out/scripts/: the repository is two levels up.
  const root = path.resolve(__dirname, '..', '..');
  const found = collectL10nStrings(root);
  if (found.nonLiteral.length > 0) {
    console.error(`Not string literals, so not translatable:\n  ${found.nonLiteral.join('\n  ')}`);
    process.exitCode = 1;
  }
  const out = process.argv[2];
  const text = JSON.stringify(englishBundle(found), null, 2) + '\n';
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, text);
    console.error(`${found.strings.size} strings → ${out}`);
  } else {
    process.stdout.write(text);
  }
}
