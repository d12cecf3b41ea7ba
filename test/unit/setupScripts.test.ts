import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../harness/testDeps';

/**
 * `npm test` and `npm start` install the test dependencies from inside an npm script, where npm
 * exports its own Node's details. A nested install of code-server once read `node/v20` from
 * npm_config_user_agent and refused to install: a new machine's first `npm test` failed while CI,
 * which ran the install outside npm, stayed green. This checks the scrub that prevents it.
 */
describe('scripts/clean-npm-env.sh', () => {
  const script = path.join(repoRoot, 'scripts', 'clean-npm-env.sh');

  /** Runs the scrub in bash under `env` (plus a plain PATH) and returns the environment it leaves. */
  function scrubbed(env: Record<string, string>): Map<string, string> {
    const out = execFileSync('bash', ['-c', 'source "$1" && clean_npm_env && env -0', 'scrub', script], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
      encoding: 'utf8',
      // Node's stdio pipes are sockets, and bash sources ~/.bashrc when stdin is one (its rshd rule).
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const vars = new Map<string, string>();
    for (const entry of out.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return vars;
  }

  // What `npm run` exported on this machine (npm 11, Node 20), abridged to the kinds that matter.
  const fromNpm = {
    npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
    npm_config_nodedir: '/usr',
    npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    npm_config_prefix: '/usr',
    npm_config_global_prefix: '/usr',
    npm_config_local_prefix: '/work/main',
    npm_node_execpath: '/usr/bin/node',
    npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
    npm_lifecycle_event: 'pretest',
    npm_lifecycle_script: 'bash scripts/ensure-deps.sh',
    npm_package_name: 'bouncer-results',
    npm_package_json: '/work/main/package.json',
    npm_command: 'test',
    NODE: '/usr/bin/node',
    INIT_CWD: '/work/main',
    PATH: '/work/main/node_modules/.bin:/work/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:/usr/local/bin:/usr/bin:/bin',
  };

  it('removes every variable npm exported that names its Node, its headers or the running package', () => {
    const env = scrubbed(fromNpm);
    const left = [...env.keys()].filter((name) => /^npm_/i.test(name) || name === 'NODE' || name === 'INIT_CWD');
    assert.deepEqual(left, []);
  });

  it("removes npm's node_modules/.bin and node-gyp-bin from PATH and keeps the rest in order", () => {
    assert.equal(scrubbed(fromNpm).get('PATH'), '/usr/local/bin:/usr/bin:/bin');
  });

  it('keeps the settings a user needs to reach the registry, and unrelated variables', () => {
    const env = scrubbed({
      ...fromNpm,
      npm_config_registry: 'http://127.0.0.1:4873/',
      npm_config_https_proxy: 'http://127.0.0.1:3128',
      npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
      BOUNCER_TEST_CACHE: '/tmp/cache',
    });
    assert.equal(env.get('npm_config_registry'), 'http://127.0.0.1:4873/');
    assert.equal(env.get('npm_config_https_proxy'), 'http://127.0.0.1:3128');
    assert.equal(env.get('npm_config_cafile'), '/etc/ssl/certs/ca-certificates.crt');
    assert.equal(env.get('BOUNCER_TEST_CACHE'), '/tmp/cache');
  });

  it('is what install-test-deps.sh runs before it installs anything', () => {
    const lines = fs.readFileSync(path.join(repoRoot, 'scripts', 'install-test-deps.sh'), 'utf8').split('\n');
    const scrubAt = lines.findIndex((line) => line.trim() === 'clean_npm_env');
    const firstNpm = lines.findIndex((line) => /^[^#]*\bnpm (pack|install|ci)\b/.test(line));
    assert.ok(scrubAt >= 0, 'install-test-deps.sh calls clean_npm_env');
    assert.ok(
      firstNpm > scrubAt,
      `clean_npm_env (line ${scrubAt + 1}) runs before the first npm command (line ${firstNpm + 1})`,
    );
  });
});
