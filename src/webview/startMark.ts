/**
 * Imported first by main.ts, so this runs before the rest of the bundle: the open trace's "webview
 * script started" is this moment, and `ready` reports how long the bundle took from here.
 */
export const scriptStarted = performance.now();
