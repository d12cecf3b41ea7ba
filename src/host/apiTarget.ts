import { normalizeApiOrigin } from '../core/apiOrigin';
import { BouncerError } from '../core/errors';
import { originKey } from '../core/resultsKey';
import { readConfig } from './config';
import type { ApiTarget } from './downloadService';

/** The API the settings point at, read afresh each time; throws BouncerError('invalidBaseUrl'). */
export function apiTarget(): ApiTarget {
  const origin = normalizeApiOrigin(readConfig().apiBaseUrl);
  return { origin, originKey: originKey(origin) };
}

/** The same, or undefined while `bouncer.apiBaseUrl` is not usable. */
export function apiTargetIfUsable(): ApiTarget | undefined {
  try {
    return apiTarget();
  } catch (error) {
    if (error instanceof BouncerError) return undefined;
    throw error;
  }
}
