import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../harness/testDeps';

interface Manifest {
  capabilities?: {
    untrustedWorkspaces?: {
      supported?: boolean | 'limited';
      description?: string;
      restrictedConfigurations?: string[];
    };
  };
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

// Without the declaration VS Code disables the extension in every folder not yet trusted,
// although nothing it does reads or runs anything from the workspace.
describe('package.json', () => {
  it('declares how the extension behaves in an untrusted workspace', () => {
    const declared = manifest.capabilities?.untrustedWorkspaces;
    assert.ok(declared, 'capabilities.untrustedWorkspaces is declared');
    assert.ok(declared.supported === true || declared.supported === 'limited', `supported: ${declared.supported}`);
    if (declared.supported === 'limited') assert.ok(declared.description, 'limited support says what is limited');
  });

  it('lets no untrusted workspace set any of its settings', () => {
    const properties = manifest.contributes.configuration.properties;
    const restricted = manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [];
    for (const name of restricted) assert.ok(name in properties, `${name} is a contributed setting`);
    // Application- and machine-scoped settings are never read from a workspace; every other one must
    // be restricted, or an untrusted folder could, say, turn off formula-safe CSV.
    const open = Object.entries(properties)
      .filter(([name, p]) => p.scope !== 'application' && p.scope !== 'machine' && !restricted.includes(name))
      .map(([name]) => name);
    assert.deepEqual(open, [], 'settings an untrusted workspace could set');
  });

  // Trusted or not, a folder the user opens must not redirect the key, turn formula-safe CSV off or lift a cap.
  for (const key of ['bouncer.apiBaseUrl', 'bouncer.csv.neutralizeFormulas', 'bouncer.cache.maxSizeMB']) {
    it(`gives ${key} application scope, so no workspace can set it`, () => {
      assert.equal(manifest.contributes.configuration.properties[key]?.scope, 'application');
    });
  }

  // VS Code shows a %key% it cannot resolve as the raw key; a stale entry is a translation nobody sees.
  it('resolves every %key% from package.nls.json, and keeps no unused entry', () => {
    const text = fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8');
    const nls = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const used = new Set([...text.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1] as string));
    assert.ok(used.size > 10, `package.json uses placeholders (${used.size})`);
    assert.deepEqual(
      [...used].filter((key) => !(key in nls)),
      [],
      'placeholders without a string',
    );
    assert.deepEqual(
      Object.keys(nls).filter((key) => !used.has(key)),
      [],
      'strings nothing uses',
    );
  });

  it('keeps every title and description in contributes translatable', () => {
    const literal: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          const shown = [
            ...['title', 'description', 'markdownDescription', 'name', 'contents', 'displayName', 'category'],
            'altText',
          ];
          if (shown.includes(k) && typeof v === 'string' && !/^%[^%]+%$/.test(v)) literal.push(`${where}.${k}`);
          else visit(v, `${where}.${k}`);
        }
      }
    };
    visit(manifest.contributes, 'contributes');
    visit(manifest.capabilities, 'capabilities');
    assert.deepEqual(literal, []);
  });
});
