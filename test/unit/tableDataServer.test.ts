/**
 * The loopback server big tables reach the webview through, over a real socket on 127.0.0.1: what
 * the page gets for the address it was given, and that nothing else (a second fetch, a guessed or
 * revoked address, another method) gets anything.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TableDataServer } from '../../src/core/tableDataServer';
import { TABLE_DATA_URL } from '../../src/shared/protocol';

/** Parts of odd sizes, one of them big enough to take several socket writes. */
function someParts(): Uint8Array[] {
  return [randomBytes(13), new Uint8Array(0), randomBytes(2 * 1024 * 1024 + 3), randomBytes(1)].map(
    (part) => new Uint8Array(part.buffer, part.byteOffset, part.byteLength),
  );
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Status and body of a request; the body is read so the connection is free for the next one. */
async function request(url: string, method = 'GET'): Promise<{ status: number; body: Uint8Array; response: Response }> {
  const response = await fetch(url, { method });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()), response };
}

describe('table data server (loopback handoff of big tables)', () => {
  let server: TableDataServer;

  beforeEach(async () => {
    server = new TableDataServer();
    await server.start();
  });

  afterEach(() => server.dispose());

  it('listens on 127.0.0.1 only, and names an origin the webview CSP and the protocol accept', async () => {
    const port = await server.start();
    assert.ok(port > 0);
    // A second start is the same server, not a second socket.
    assert.equal(await server.start(), port);
    assert.equal(server.origin, `http://127.0.0.1:${port}`);
    const url = server.offer(someParts());
    assert.match(url, TABLE_DATA_URL);
    assert.ok(url.startsWith(`${server.origin}/`));
    // 128 random bits each: two offers never share an address.
    assert.notEqual(server.offer(someParts()), url);
  });

  it('answers the offered address once with exactly the parts, concatenated, and its length', async () => {
    const parts = someParts();
    const url = server.offer(parts);
    const { status, body, response } = await request(url);
    assert.equal(status, 200);
    const expected = concat(parts);
    assert.equal(response.headers.get('content-length'), String(expected.byteLength));
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    // The webview's origin is not known ahead (vscode-webview://…): only the address keeps it private.
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.ok(Buffer.from(body).equals(Buffer.from(expected)), 'body is the parts, byte for byte');
    // Answered once, then forgotten: whoever learns the address afterwards gets nothing.
    const again = await request(url);
    assert.equal(again.status, 404);
    assert.equal(again.body.byteLength, 0);
  });

  it('keeps each offer apart: fetching one leaves the others to their own fetch', async () => {
    const first = someParts();
    const second = [new Uint8Array([1, 2, 3])];
    const firstUrl = server.offer(first);
    const secondUrl = server.offer(second);
    assert.deepEqual((await request(secondUrl)).body, concat(second));
    assert.ok(Buffer.from((await request(firstUrl)).body).equals(Buffer.from(concat(first))));
  });

  it('answers 404, with no body, to an unknown token, any other path and any other method', async () => {
    const url = server.offer(someParts());
    const token = url.slice(url.lastIndexOf('/') + 1);
    const origin = server.origin;
    const misses = [
      `${origin}/${randomBytes(16).toString('hex')}`,
      `${origin}/`,
      `${origin}/${token.toUpperCase()}`,
      `${origin}/${token}/`,
      `${origin}/${token}?x=1`,
      `${origin}/${token.slice(1)}`,
      `${origin}/x/${token}`,
    ];
    for (const miss of misses) {
      const { status, body, response } = await request(miss);
      assert.equal(status, 404, miss);
      assert.equal(body.byteLength, 0, miss);
      // A 404 is still readable cross-origin, so the page can tell "gone" from "unreachable".
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
      const { status, body } = await request(url, method);
      assert.equal(status, 404, method);
      assert.equal(body.byteLength, 0, method);
    }
  });

  it('stops answering an offer once revoked, and ignores a revoke of an address it never gave', async () => {
    const kept = server.offer([new Uint8Array([7])]);
    const revoked = server.offer(someParts());
    server.revoke(revoked);
    server.revoke(`${server.origin}/${randomBytes(16).toString('hex')}`);
    server.revoke('not a url');
    assert.equal((await request(revoked)).status, 404);
    assert.deepEqual((await request(kept)).body, new Uint8Array([7]));
  });

  it('answers nothing once disposed, not even an offer made before', async () => {
    const url = server.offer(someParts());
    server.dispose();
    assert.equal(server.origin, undefined);
    assert.throws(() => server.offer(someParts()), /not started/);
    await assert.rejects(fetch(url), TypeError, 'the port no longer accepts connections');
  });
});
