import { DEFAULT_EMULATOR_KEY, SEEDED_BATCH_IDS, startEmulator } from './server';

/**
 * `node out/emulator/main.js [--port P] [--key K] [--host H] [--quiet]`: runs the emulator until
 * SIGINT/SIGTERM. Prints the URL to put in `bouncer.apiBaseUrl`, the key, and the seeded batch IDs.
 */

function argValue(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new Error(`${name} needs a value`);
  }
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('Usage: node out/emulator/main.js [--port P] [--key K] [--host H] [--quiet]');
    return;
  }
  const portText = argValue(args, '--port') ?? '0';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new Error(`invalid --port ${portText}`);
  const apiKey = argValue(args, '--key') ?? DEFAULT_EMULATOR_KEY;
  const host = argValue(args, '--host') ?? '127.0.0.1';
  const quiet = args.includes('--quiet');

  const emulator = await startEmulator({
    port: Number(portText),
    host,
    apiKey,
    log: quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  // The demo key is printed on purpose: it is a local, fake key that only this emulator accepts.
  console.log(`Bouncer emulator listening on ${emulator.url} (API key: ${apiKey})`);
  console.log(`Seeded batch IDs: ${SEEDED_BATCH_IDS.join(', ')}`);
  console.log('Also: gen-<N> for any N up to 1000000, pending-<K> (completes after K status polls).');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the emulator`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`emulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
