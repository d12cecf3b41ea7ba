// Lint holds the layer boundaries: only src/host (and the tests that run inside a
// real extension host) may import `vscode`, and no pure layer reaches up into src/host.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodePath = { name: 'vscode', message: 'Pure layers must not import vscode; put VS Code wiring in src/host.' };
const hostPattern = {
  group: ['**/host', '**/host/**'],
  message: 'Pure layers must not import from src/host: move what both need down into src/core or src/model.',
};
const pureLayer = { 'no-restricted-imports': ['error', { paths: [vscodePath], patterns: [hostPattern] }] };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-output/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
  {
    files: ['src/core/**', 'src/shared/**', 'src/model/**', 'src/webview/**', 'emulator/**'],
    rules: pureLayer,
  },
  {
    files: ['test/unit/**'],
    rules: pureLayer,
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
