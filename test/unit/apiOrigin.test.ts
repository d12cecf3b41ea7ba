import * as assert from 'node:assert/strict';
import { normalizeApiOrigin } from '../../src/core/apiOrigin';
import { BouncerError } from '../../src/core/errors';

function rejects(raw: string): BouncerError {
  try {
    normalizeApiOrigin(raw);
  } catch (error) {
    assert.ok(error instanceof BouncerError);
    assert.equal(error.kind, 'invalidBaseUrl');
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe('apiOrigin', () => {
  it('keeps an https origin and drops a trailing slash', () => {
    assert.equal(normalizeApiOrigin('https://api.usebouncer.com'), 'https://api.usebouncer.com');
    assert.equal(normalizeApiOrigin('  https://API.usebouncer.com/  '), 'https://api.usebouncer.com');
    assert.equal(normalizeApiOrigin('https://example.com:8443'), 'https://example.com:8443');
    assert.equal(normalizeApiOrigin('https://example.com:443/'), 'https://example.com');
  });

  it('allows plain http only for loopback hosts', () => {
    assert.equal(normalizeApiOrigin('http://localhost:3000'), 'http://localhost:3000');
    assert.equal(normalizeApiOrigin('http://LOCALHOST:3000/'), 'http://localhost:3000');
    assert.equal(normalizeApiOrigin('http://127.0.0.1:41234'), 'http://127.0.0.1:41234');
    assert.equal(normalizeApiOrigin('http://127.1.2.3'), 'http://127.1.2.3');
    assert.equal(normalizeApiOrigin('http://[::1]:8080'), 'http://[::1]:8080');
    // Shorthand IPv4 forms are normalised by the URL parser before the check.
    assert.equal(normalizeApiOrigin('http://127.1:9'), 'http://127.0.0.1:9');
  });

  it('refuses http to anything that is not loopback', () => {
    for (const raw of [
      'http://api.usebouncer.com',
      'http://127.0.0.1.nip.io',
      'http://localhost.example.com',
      'http://10.0.0.1',
      'http://[::2]',
      'http://128.0.0.1',
    ]) {
      assert.match(rejects(raw).message, /https/, raw);
    }
  });

  it('refuses other schemes, credentials, paths, queries and fragments', () => {
    for (const raw of ['ftp://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,x']) {
      rejects(raw);
    }
    assert.match(rejects('https://user:pw@example.com').message, /user name or password/);
    assert.match(rejects('https://example.com/v1.1').message, /origin only/);
    rejects('https://example.com/?x=1');
    rejects('https://example.com/#frag');
    rejects('https://example.com?');
  });

  it("names each refusal with a code the host words in the user's language", () => {
    assert.deepEqual(rejects('api.usebouncer.com').reason, { code: 'baseUrlNotUrl' });
    assert.deepEqual(rejects('ftp://example.com').reason, { code: 'baseUrlScheme', scheme: 'ftp' });
    assert.deepEqual(rejects('http://api.usebouncer.com').reason, { code: 'baseUrlHttpRemote' });
    assert.deepEqual(rejects('https://user:pw@example.com').reason, { code: 'baseUrlCredentials' });
    assert.deepEqual(rejects('https://example.com/v1.1').reason, { code: 'baseUrlNotOrigin' });
  });

  it('refuses text that is not an absolute URL', () => {
    for (const raw of ['', '   ', 'api.usebouncer.com', '//example.com', 'https://']) rejects(raw);
  });
});
