/**
 * Every VS Code icon the table shows. The package ships only these (esbuild.js cuts each one out of the
 * codicons sprite, instead of the whole 120 KB icon font), so an icon the table starts using is added
 * here, and `icon()` / `button()` accept no other name.
 */
export const CODICONS = [
  'arrow-down',
  'arrow-up',
  'chevron-down',
  'chevron-up',
  'clear-all',
  'close',
  'copy',
  'filter',
  'go-to-file',
  'json',
  'mail',
  'new-file',
  'refresh',
  'save',
  'search',
  'settings-gear',
] as const;

export type Codicon = (typeof CODICONS)[number];
