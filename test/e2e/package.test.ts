import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { zipEntries } from '../harness/zipEntries';
import { zipRead } from '../harness/zipRead';
import { VSIX } from './session';

/** The Marketplace and the Extensions view show the package as it is: keep it quick to download. */
const MAX_VSIX_BYTES = 250 * 1024;

function read(entry: string): Buffer {
  const bytes = zipRead(VSIX, entry);
  assert.ok(bytes, `the .vsix has ${entry}`);
  return bytes;
}

// What users install must be the bundles and docs only: no sources, tests, maps or node_modules.
describe('The packaged .vsix', () => {
  const files = zipEntries(VSIX).filter((name) => name.startsWith('extension/'));

  it('ships the bundles and the manifest, nothing from the source tree', () => {
    assert.ok(files.includes('extension/package.json'), 'has the manifest');
    assert.ok(files.includes('extension/package.nls.json'), 'has the strings the manifest names by %key%');
    assert.ok(files.includes('extension/dist/extension.js'), 'has the extension bundle');
    const unwanted = files.filter((name) =>
      /^extension\/(src|test|out|emulator|scripts|node_modules|\.ci)\/|\.(ts|map)$|\.vsix$/.test(name),
    );
    assert.deepEqual(unwanted, [], 'no sources, tests, maps or dependencies');
  });

  it(`is under ${MAX_VSIX_BYTES / 1024} KB`, () => {
    const size = fs.statSync(VSIX).size;
    assert.ok(size < MAX_VSIX_BYTES, `${(size / 1024).toFixed(1)} KB`);
  });

  it('has its icon, a 128×128 PNG', () => {
    const manifest = JSON.parse(read('extension/package.json').toString('utf8')) as { icon?: string };
    assert.ok(manifest.icon, 'package.json names an icon');
    const png = read(`extension/${manifest.icon}`);
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG signature');
    assert.equal(png.toString('latin1', 12, 16), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'width × height');
  });

  it('resolves every %key% of its manifest from its package.nls.json', () => {
    const manifest = read('extension/package.json').toString('utf8');
    const nls = JSON.parse(read('extension/package.nls.json').toString('utf8')) as Record<string, string>;
    const keys = [...manifest.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1] as string);
    assert.ok(keys.includes('walkthrough.setApiKey.title'), 'the walkthrough is translatable too');
    assert.deepEqual(
      keys.filter((key) => typeof nls[key] !== 'string'),
      [],
      'placeholders the package cannot resolve',
    );
  });

  it('has every file its manifest and walkthrough point at', () => {
    const manifest = read('extension/package.json').toString('utf8');
    const paths = [...manifest.matchAll(/"(?:icon|image|markdown|svg)": "([^"$]+)"/g)].map((m) => m[1] as string);
    assert.ok(paths.length >= 4, `found ${paths.length} media paths`);
    const missing = paths.filter((p) => !files.includes(`extension/${p.replace(/^\.\//, '')}`));
    assert.deepEqual(missing, []);
  });

  it('has no relative link in its README to a file it does not ship', () => {
    const readme = read('extension/readme.md').toString('utf8');
    const targets = [
      ...[...readme.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string),
      ...[...readme.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] as string),
      ...[...readme.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] as string),
    ];
    assert.ok(targets.length > 0, 'the README has links');
    const relative = targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'));
    const broken = relative.filter((t) => {
      const file = decodeURI(t.split('#')[0] as string).replace(/^\.\//, '');
      return !files.includes(`extension/${file}`);
    });
    assert.deepEqual(broken, [], 'relative links to files not in the .vsix');
  });
});
