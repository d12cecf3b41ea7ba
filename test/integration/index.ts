import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { SUITE_START_MARKER } from '../harness/automationLog';

/**
 * Entry point VS Code calls inside the extension host (`extensionTestsPath`), the shape both the
 * offline launcher (test/runIntegration.ts) and @vscode/test-electron (test/runTestElectron.ts) expect.
 * Runs every compiled `*.test.js` beside this file; rejects when any test fails, which makes the
 * extension host exit with code 1.
 */
export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false, // the report travels through the page's console into CI logs
    timeout: 60_000,
    grep: process.env.BOUNCER_TEST_GREP || undefined,
  });
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort();
  if (files.length === 0) throw new Error(`No integration tests (*.test.js) under ${__dirname}`);
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  console.log(SUITE_START_MARKER);
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
