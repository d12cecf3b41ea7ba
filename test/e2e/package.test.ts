import * as assert from 'node:assert/strict';
import { zipEntries } from '../harness/zipEntries';
import { VSIX } from './session';

// What users install must be the bundles and docs only: no sources, tests, maps or node_modules.
describe('The packaged .vsix', () => {
  it('ships the bundles and the manifest, nothing from the source tree', () => {
    const files = zipEntries(VSIX).filter((name) => name.startsWith('extension/'));
    assert.ok(files.includes('extension/package.json'), 'has the manifest');
    assert.ok(files.includes('extension/package.nls.json'), 'has the strings the manifest names by %key%');
    assert.ok(files.includes('extension/dist/extension.js'), 'has the extension bundle');
    const unwanted = files.filter((name) =>
      /^extension\/(src|test|out|emulator|scripts|node_modules|\.ci)\/|\.(ts|map)$|\.vsix$/.test(name),
    );
    assert.deepEqual(unwanted, [], 'no sources, tests, maps or dependencies');
  });
});
