// The demo: the local Bouncer emulator plus a real VS Code (code-server's bundled VS Code server)
// with the packaged extension installed and pointed at the emulator. Prints the URL to open and the
// demo key, then runs until Ctrl+C, stopping every process it started.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator } from '../emulator/server';
import { loadTestDeps, repoRoot } from '../test/harness/testDeps';
import { createSandbox, runCodeServerCli, startVsCodeServer } from '../test/harness/vscodeServer';

async function main(): Promise<void> {
  const deps = loadTestDeps();
  const vsix = path.join(repoRoot, 'dist', 'bouncer-results.vsix');
  if (!fs.existsSync(vsix)) throw new Error(`No ${vsix}: run npm run package first (npm start does).`);

  const emulator = await startEmulator({ port: Number(process.env.BOUNCER_DEMO_EMULATOR_PORT ?? 0) });
  const sandbox = createSandbox('bouncer-demo', { 'bouncer.apiBaseUrl': emulator.url });
  await runCodeServerCli(deps, sandbox, ['--install-extension', vsix]);
  const server = await startVsCodeServer(deps, sandbox);

  const url = new URL('/', server.origin);
  url.searchParams.set('folder', sandbox.workspaceDir);
  console.log(
    [
      '',
      'Bouncer Results demo is running.',
      `  Open VS Code:     ${url.toString()}`,
      `  Bouncer emulator: ${emulator.url} (already set as bouncer.apiBaseUrl)`,
      `  Demo API key:     ${emulator.apiKey}`,
      '  Try batch IDs:    demo-small, gen-100000, gen-1000000, pending-3, fault-503, fault-truncated, no-such-batch',
      '',
      'In VS Code: F1 → "Bouncer: Open Batch Results…", or the Bouncer icon in the activity bar.',
      `Profile and logs: ${sandbox.root}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('Stopping…');
  await server.stop();
  await emulator.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
