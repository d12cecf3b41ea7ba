import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { delay, freePort, killProcessGroup, killProcessGroupNow } from './processes';
import { type TestDeps } from './testDeps';

/** A fresh, throw-away VS Code profile: user data, extensions and a workspace folder under one temp dir. */
export interface Sandbox {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  workspaceDir: string;
}

/**
 * User settings seeded into every sandbox. They keep VS Code from reaching the network (no update,
 * marketplace or telemetry calls) and from opening editors the tests do not expect.
 */
const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Creates the sandbox; `settings` are merged over the quiet defaults into the user settings.json. */
export function createSandbox(prefix: string, settings: Record<string, unknown> = {}): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const sandbox: Sandbox = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    workspaceDir: path.join(root, 'workspace'),
  };
  for (const dir of [sandbox.extensionsDir, sandbox.workspaceDir]) fs.mkdirSync(dir, { recursive: true });
  writeUserSettings(sandbox, settings);
  return sandbox;
}

/** Rewrites the sandbox's user settings (quiet defaults plus `settings`). */
export function writeUserSettings(sandbox: Sandbox, settings: Record<string, unknown>): void {
  // code-server keeps the browser's user settings on the server, under <user-data-dir>/User.
  const userDir = path.join(sandbox.userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  const all = { ...QUIET_SETTINGS, ...settings };
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(all, null, 2));
}

/** A running VS Code server; `stop()` ends its whole process group. */
export interface VsCodeServer {
  port: number;
  /** Origin of the server, e.g. `http://127.0.0.1:34567`. */
  origin: string;
  /** File with the server's stdout and stderr. */
  logFile: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /**
   * `--enable-smoke-test-driver`: needed to run an extension test suite from the page URL (it gives
   * `codeAutomationExit`/`codeAutomationLog`), but it also stops notification toasts from showing, so
   * the end-to-end ring, which looks at the UI as a person does, leaves it off.
   */
  smokeTestDriver: boolean;
}

/**
 * Starts the VS Code server bundled in code-server (not code-server's own CLI, which rejects the
 * extension development and tests locations) on a free loopback port, in its own process group.
 */
export async function startVsCodeServer(
  deps: TestDeps,
  sandbox: Sandbox,
  options: ServerOptions = { smokeTestDriver: false },
): Promise<VsCodeServer> {
  const port = await freePort();
  const logFile = path.join(sandbox.root, 'vscode-server.log');
  const log = fs.openSync(logFile, 'a');
  const serverMain = path.join(deps.codeServerDir, 'lib/vscode/out/server-main.js');
  const args = [
    serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    ...(options.smokeTestDriver ? ['--enable-smoke-test-driver'] : []),
    '--disable-workspace-trust',
    '--disable-telemetry',
    '--user-data-dir',
    sandbox.userDataDir,
    '--extensions-dir',
    sandbox.extensionsDir,
  ];
  const child = spawn(deps.node24, args, {
    detached: true, // setsid: the server and every helper it forks share one process group we can kill
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      PATH: `${path.dirname(deps.node24)}${path.delimiter}${process.env.PATH ?? ''}`,
      // An empty gallery turns the marketplace off: no lookups beyond loopback, no update checks.
      EXTENSIONS_GALLERY: '{}',
    },
  });
  fs.closeSync(log);
  // Last resort if the runner dies without reaching its finally (uncaught error, process.exit in a test).
  // The server has its own process group, so Ctrl+C in a terminal does not reach it: forward that too,
  // and exit as Node would by default unless the runner handles the signal itself.
  const killOnExit = () => killProcessGroupNow(child);
  const killOnSignal = (signal: NodeJS.Signals) => {
    killProcessGroupNow(child);
    if (process.listenerCount(signal) === 0) process.exit(130);
  };
  process.once('exit', killOnExit);
  process.once('SIGINT', killOnSignal);
  process.once('SIGTERM', killOnSignal);
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    process.off('SIGINT', killOnSignal);
    process.off('SIGTERM', killOnSignal);
    await killProcessGroup(child);
  };
  const server: VsCodeServer = { port, origin, logFile, stop };
  try {
    await waitForHttp(origin, child, 60_000);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- ${logFile} ---\n${tail(logFile)}`);
  }
  return server;
}

/** Runs code-server's CLI once (e.g. `--install-extension x.vsix`) and returns its output. */
export function runCodeServerCli(deps: TestDeps, sandbox: Sandbox, args: string[]): Promise<string> {
  const entry = path.join(deps.codeServerDir, 'out/node/entry.js');
  const fullArgs = [entry, '--user-data-dir', sandbox.userDataDir, '--extensions-dir', sandbox.extensionsDir, ...args];
  return new Promise((resolve, reject) => {
    // code-server's CLI writes a config file and logs under the XDG folders; keep them in the sandbox.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(sandbox.root, 'xdg-config'),
      XDG_DATA_HOME: path.join(sandbox.root, 'xdg-data'),
    };
    const child = spawn(deps.node24, fullArgs, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      void killProcessGroup(child, 500);
      if (code === 0) resolve(output);
      else reject(new Error(`code-server ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/**
 * The workbench URL that loads the extension under development and runs its mocha suite.
 * The payload authority must be the page's own host:port, as the browser sees it.
 */
export function testPageUrl(server: VsCodeServer, folder: string, extensionPath?: string, testsPath?: string): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const url = new URL('/', server.origin);
  url.searchParams.set('folder', folder);
  const payload: [string, string][] = [];
  if (extensionPath) payload.push(['extensionDevelopmentPath', remote(extensionPath)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  if (payload.length) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/** Last `lines` lines of a log file, for error messages. */
export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitForHttp(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`VS Code server exited early with code ${child.exitCode}`);
    if (await answers(origin)) return;
    await delay(200);
  }
  throw new Error(`VS Code server did not answer on ${origin} within ${timeoutMs} ms`);
}

function answers(origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(origin, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}
