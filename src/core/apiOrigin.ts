import { BouncerError } from './errors';

/**
 * Hosts that never leave this machine. Plain `http` is allowed only for these, so the bundled
 * emulator works while a typo or a hostile setting can never send the key in clear text.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // WHATWG URL has already normalised IPv4 forms such as `127.1` or `0x7f.0.0.1` to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Validates the `bouncer.apiBaseUrl` setting and returns its normalised origin
 * (`scheme://host[:port]`, no path, no trailing slash).
 *
 * Rules: must parse as an absolute URL; `https` is required except for loopback hosts
 * (`localhost`, `127.0.0.0/8`, `[::1]`), which may also use `http`; no user name or password
 * (they would travel with every request); path, query and fragment are not allowed because the
 * client appends the API paths itself (a lone `/` path is fine).
 *
 * @throws BouncerError('invalidBaseUrl') with a message that names the problem.
 */
export function normalizeApiOrigin(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BouncerError('invalidBaseUrl', 'The API base URL is not a valid absolute URL.', {
      reason: { code: 'baseUrlNotUrl' },
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    const scheme = url.protocol.replace(':', '');
    throw new BouncerError('invalidBaseUrl', `The API base URL must use https (got ${scheme}).`, {
      reason: { code: 'baseUrlScheme', scheme },
    });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new BouncerError(
      'invalidBaseUrl',
      'The API base URL must use https unless it points at this machine (localhost).',
      { reason: { code: 'baseUrlHttpRemote' } },
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new BouncerError('invalidBaseUrl', 'The API base URL must not contain a user name or password.', {
      reason: { code: 'baseUrlCredentials' },
    });
  }
  const hasPath = url.pathname !== '/' && url.pathname !== '';
  if (hasPath || url.search !== '' || url.hash !== '' || text.endsWith('?') || text.endsWith('#')) {
    throw new BouncerError(
      'invalidBaseUrl',
      'The API base URL must be an origin only, such as https://api.usebouncer.com.',
      { reason: { code: 'baseUrlNotOrigin' } },
    );
  }
  return url.origin;
}
