export type ByteUnit = 'B' | 'KB' | 'MB' | 'GB' | 'TB';

/**
 * A byte count as a rounded number and its unit, so the host can put the unit into the user's
 * language (`host/units.ts`) while logs and the webview use {@link formatBytes}.
 */
export function byteSize(bytes: number): { value: number; unit: ByteUnit } {
  if (bytes < 1024) return { value: bytes, unit: 'B' };
  const units: ByteUnit[] = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 ? 1 : 0;
  return { value: Number(value.toFixed(digits)), unit: units[unit] };
}

/** Human-readable byte count, e.g. `12.3 MB` (English; for logs and the webview). */
export function formatBytes(bytes: number): string {
  const { value, unit } = byteSize(bytes);
  return `${unit === 'B' || value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}
