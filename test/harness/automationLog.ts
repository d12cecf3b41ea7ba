import { format } from 'node:util';

/**
 * The integration suite logs this line just before mocha starts. The page forwards every workbench
 * log line through `codeAutomationLog` too; the launcher prints only what follows this marker and
 * keeps the workbench's own start-up chatter in a file.
 */
export const SUITE_START_MARKER = '[integration] mocha starts in the extension host';

/** Turns one `window.codeAutomationLog(type, args)` call (console arguments, printf style) into a line. */
export function formatAutomationLog(args: unknown): string {
  const list: unknown[] = Array.isArray(args) ? args : [args];
  return format(...list);
}

/** Workbench lines that keep arriving while the suite runs and say nothing about it. */
const WORKBENCH_CHATTER = [
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^\[AccountPolicyGate\]/,
];

export function isWorkbenchChatter(line: string): boolean {
  return WORKBENCH_CHATTER.some((pattern) => pattern.test(line));
}
