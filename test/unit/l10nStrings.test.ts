import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectL10nStrings, englishBundle } from '../../scripts/l10nStrings';

// Compiled to out/test/unit: the repository is three levels up.
const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('l10n strings (scripts/l10nStrings.ts)', () => {
  const found = collectL10nStrings(ROOT);

  it('finds every host and webview message as a string literal, so a translator gets them all', () => {
    assert.deepEqual(found.nonLiteral, []);
  });

  it('lists host messages, webview messages and the column labels the webview translates by reference', () => {
    const bundle = englishBundle(found);
    for (const message of [
      'Enter a batch ID.',
      "That link holds no batch ID. Copy the link of the batch's page in Bouncer, or type its ID.",
      '{0} MB',
      'Row details',
      'Email',
    ]) {
      assert.equal(bundle[message], message, message);
    }
  });

  it('reports a message that is not a literal, with where it is', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'l10n-strings-'));
    try {
      fs.mkdirSync(path.join(root, 'src/host'), { recursive: true });
      fs.mkdirSync(path.join(root, 'src/webview'), { recursive: true });
      fs.writeFileSync(
        path.join(root, 'src/host/a.ts'),
        "vscode.l10n.t('Fine {0}', x);\nvscode.l10n.t(`Built ${x}`);\n",
      );
      fs.writeFileSync(path.join(root, 'src/webview/b.ts'), 't(`Also fine`);\nt(label);\n');
      const result = collectL10nStrings(root);
      assert.deepEqual(result.strings.get('Fine {0}'), ['src/host/a.ts:1']);
      assert.deepEqual(result.strings.get('Also fine'), ['src/webview/b.ts:1']);
      assert.deepEqual(
        result.nonLiteral.map((entry) => entry.split(':').slice(0, 2).join(':')),
        ['src/host/a.ts:2', 'src/webview/b.ts:2'],
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
