// Builds two bundles: the extension (Node, CommonJS, `vscode` external) and the
// webview (browser IIFE). `--production` minifies and drops source maps;
// `--watch` rebuilds and prints the lines the `$esbuild-watch` problem matcher expects.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').Plugin} */
const problemMatcher = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher],
};

const targets = [
  {
    ...common,
    entryPoints: ['src/host/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
];

// The webview bundle joins once its entry point exists (results table).
if (fs.existsSync(path.join(__dirname, 'src/webview/main.ts'))) {
  targets.push({
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
  });
}

// The table uses a handful of VS Code's icons. The whole icon font is 120 KB, a third of the package,
// so only the icons listed in src/webview/codicons.ts are shipped, each as the small SVG the font is
// built from, drawn as a mask in the text colour: `<span class="codicon codicon-NAME">` works as with
// the font. The webview may load only from dist/ and media/, so they are written next to the bundle.
function writeCodicons() {
  const list = fs.readFileSync(path.join(__dirname, 'src/webview/codicons.ts'), 'utf8');
  const names = [...list.slice(list.indexOf('[')).matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]);
  const from = path.join(__dirname, 'node_modules/@vscode/codicons/src/icons');
  const to = path.join(__dirname, 'dist/codicons');
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  const rules = [
    ".codicon[class*='codicon-'] {",
    '  display: inline-block;',
    '  width: 16px;',
    '  height: 16px;',
    '  vertical-align: text-bottom;',
    '  background-color: currentColor;',
    // Longhands: a `mask` shorthand here would reset the per-icon mask-image below, this selector being stronger.
    '  -webkit-mask-repeat: no-repeat;',
    '  mask-repeat: no-repeat;',
    '  -webkit-mask-position: center;',
    '  mask-position: center;',
    '  -webkit-mask-size: 16px 16px;',
    '  mask-size: 16px 16px;',
    '}',
  ];
  for (const name of names) {
    const file = path.join(from, `${name}.svg`);
    if (!fs.existsSync(file)) throw new Error(`src/webview/codicons.ts lists "${name}", which @vscode/codicons lacks`);
    fs.copyFileSync(file, path.join(to, `${name}.svg`));
    rules.push(`.codicon-${name} { -webkit-mask-image: url(${name}.svg); mask-image: url(${name}.svg); }`);
  }
  fs.writeFileSync(path.join(to, 'codicon.css'), rules.join('\n') + '\n');
}

async function main() {
  writeCodicons();
  const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
