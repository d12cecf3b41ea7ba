export type ByteUnit = 'B' | 'KB' | 'MB' | 'GB' | 'TB';

/**
 * A byte count as a number rounded to `digits` decimals (one below 10) and its unit, so the host can put the unit into the user's
 * language (`host/units.ts`) while logs and the webview use {@link formatBytes}.
 */
export function byteSize(bytes: number): { value: number; unit: ByteUnit; digits: number } {
  if (bytes < 1024) return { value: bytes, unit: 'B', digits: 0 };
  const units: ByteUnit[] = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 ? 1 : 0;
  return { value: Number(value.toFixed(digits)), unit: units[unit], digits };
}

/** Human-readable byte count, e.g. `12.3 MB` (English; for logs and the webview). */
export function formatBytes(bytes: number): string {
  const { value, unit, digits } = byteSize(bytes);
  return `${value.toFixed(digits)} ${unit}`;
}
