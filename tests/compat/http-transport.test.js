'use strict';

// The HTTP transport under the API: keep-alive, pipelining, bodies that arrive in pieces or
// chunked (B14), body and header limits, malformed requests, stalled clients (B34), health
// endpoints, and what the WebSocket upgrade path refuses (4005, 4003, 4004).
//
// Requests that must control the bytes on the wire (split bodies, pipelining, oversized heads)
// go through a raw net.Socket and a small response parser below; the signature is computed by
// hand exactly as in lib/helpers.js api().

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { useNode, HOST } = require('./lib/node');
const { track } = require('./lib/cleanup');
const h = require('./lib/helpers');

const T = { timeout: 60_000 };
const WAIT_MS = 10_000; // generous harness wait for an answer; never a pass/fail timing

const EVENT_LIMIT = 10_240; // max_event_payload_bytes of the main node's default app
const BODY_LIMIT = 4_096; // max_http_body_bytes of the small-body node
const HEADER_LIMIT = 16 * 1024; // the node's fixed request header limit

const DISABLED = Object.freeze({ id: '102', key: 'key-disabled', secret: 'secret-disabled', enabled: false });
const LIMITED = Object.freeze({ id: '103', key: 'key-limited', secret: 'secret-limited', max_connections: 2 });

// ---------------------------------------------------------------------------------------------
// Signing and raw HTTP

// `${path}?auth_key=…&auth_signature=…` for a request with these exact body bytes.
function signedTarget(app, method, path, body = Buffer.alloc(0), query = {}) {
  const params = {
    auth_key: app.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...query,
  };
  if (body.length > 0) params.body_md5 = h.md5Hex(body);
  const keys = Object.keys(params).sort();
  const toSign = `${method}\n${path}\n${keys.map((k) => `${k}=${params[k]}`).join('&')}`;
  const signature = h.hmacHex(app.secret, toSign);
  const qs = keys.map((k) => `${k}=${encodeURIComponent(params[k])}`).join('&');
  return `${path}?${qs}&auth_signature=${signature}`;
}

// The bytes of one request head (ending with the blank line).
function head(method, target, headers = {}) {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${HOST}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

// A complete request: head plus body with Content-Length (POST) or no body (GET).
function request(method, target, body, headers = {}) {
  if (body === undefined) return head(method, target, headers);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([
    head(method, target, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, ...headers }),
    bytes,
  ]);
}

// A signed POST /apps/{id}/events with these body bytes.
function eventsRequest(app, body, headers = {}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return request('POST', signedTarget(app, 'POST', `/apps/${app.id}/events`, bytes), bytes, headers);
}

// A TCP connection that parses the HTTP/1.1 responses arriving on it, in order.
class RawHttp {
  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.responses = [];
    this.taken = 0;
    this.closed = false;
    this.sawEnd = false;
    this.error = undefined;
    this.listeners = new Set();
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.closed = true;
        this._notify();
        resolve();
      });
    });
    socket.on('end', () => {
      this.sawEnd = true;
    });
    // Writing to a socket the server has closed raises EPIPE/ECONNRESET: remember, never throw.
    socket.on('error', (error) => {
      this.error = error;
      this._notify();
    });
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this._parse();
      this._notify();
    });
  }

  static open(node) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port: node.port });
      const conn = new RawHttp(socket);
      track(() => conn.destroy());
      socket.once('connect', () => resolve(conn));
      socket.once('error', reject);
    });
  }

  _parse() {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length);
      this.buffer = this.buffer.subarray(end + 4 + length);
      const text = body.toString('utf8');
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      this.responses.push({ statusLine: lines[0], status: Number(lines[0].split(' ')[1]), headers, text, json });
    }
  }

  _notify() {
    for (const listener of [...this.listeners]) listener();
  }

  _unparsed() {
    return JSON.stringify(this.buffer.toString('latin1').slice(0, 200));
  }

  write(bytes) {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  _wait(check, what, timeout = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const run = () => {
        let value;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value !== undefined) {
          finish();
          resolve(value);
        }
      };
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(run);
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `raw HTTP: no ${what} within ${timeout} ms (closed=${this.closed}, error=${this.error?.code}, ` +
              `responses=${this.responses.length}, unparsed=${this._unparsed()})`,
          ),
        );
      }, timeout);
      this.listeners.add(run);
      run();
    });
  }

  // The next response not yet handed out.
  nextResponse(timeout) {
    return this._wait(
      () => {
        if (this.taken < this.responses.length) {
          this.taken += 1;
          return this.responses[this.taken - 1];
        }
        if (this.closed) {
          throw new Error(
            `raw HTTP: connection closed (error=${this.error?.code}) before response #${this.taken + 1}; ` +
              `unparsed=${this._unparsed()}`,
          );
        }
        return undefined;
      },
      `response #${this.taken + 1}`,
      timeout,
    );
  }

  // Resolves once the server has closed the connection (FIN or reset).
  waitClosed(timeout) {
    return this._wait(() => (this.closed ? true : undefined), 'close by the server', timeout);
  }

  destroy() {
    this.socket.destroy();
    return this.closedPromise;
  }
}

// One request on a fresh connection; resolves with the first response.
async function rawRoundTrip(node, bytes) {
  const conn = await RawHttp.open(node);
  conn.write(bytes);
  const response = await conn.nextResponse();
  return { conn, response };
}

function assertJsonError(response, status, context) {
  assert.equal(response.status, status, `${context}: ${response.statusLine} ${response.text}`);
  assert.match(response.headers['content-type'] ?? '', /^application\/json/, `${context}: content-type`);
  assert.equal(typeof response.json, 'object', `${context}: body is JSON: ${response.text}`);
  assert.ok(response.json !== null, `${context}: body is a JSON object`);
  assert.equal(typeof response.json.error, 'string', `${context}: {"error": "..."}: ${response.text}`);
  assert.ok(response.json.error.length > 0, `${context}: the error names the cause`);
}

// A string of exactly `bytes` UTF-8 bytes that mixes multi-byte characters with characters JSON
// must escape, so a split inside a character or an escape sequence shows up as corruption.
function payloadOfBytes(bytes) {
  const unit = 'é€😀"\\/<tag>&\t\n abc';
  let text = '';
  while (Buffer.byteLength(text + unit) <= bytes) text += unit;
  while (Buffer.byteLength(text) < bytes) text += 'x';
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

// A WebSocket opened on a raw socket (`prefix` goes before the upgrade request), to control
// the bytes and the TCP close; what arrives is kept as Latin-1 text.
async function rawWebSocket(node, prefix = '') {
  const socket = net.connect({ host: HOST, port: node.port, allowHalfOpen: true });
  track(() => socket.destroy());
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    prefix +
      `GET /app/${node.app.key}?protocol=7 HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  const received = () => text;
  const waitFor = async (wanted) => {
    for (let i = 0; i < 200 && !text.includes(wanted); i += 1) await h.sleep(50);
    assert.ok(text.includes(wanted), `no ${wanted} in ${JSON.stringify(text.slice(0, 400))}`);
  };
  return { socket, closed, received, waitFor };
}

// A client's text frame (masked, as clients must) of fewer than 126 bytes.
function maskedTextFrame(text) {
  const payload = Buffer.from(text);
  assert.ok(payload.length < 126);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

// CPU time a process has used so far, in clock ticks (user and system).
function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

// One chunk of a chunked body.
const asChunk = (piece) => Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);

// `count` headers named `${prefix}${i}`, all with `value`.
const manyHeaders = (count, prefix, value) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, value]));

// Splits `buffer` into `count` pieces of (nearly) equal size, ignoring character boundaries.
function split(buffer, count) {
  const pieces = [];
  const size = Math.ceil(buffer.length / count);
  for (let i = 0; i < buffer.length; i += size) pieces.push(buffer.subarray(i, i + size));
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// Main node: default limits, plus a disabled app and an app with max_connections 2.

describe('HTTP transport', () => {
  const node = useNode(
    { app: { max_event_payload_bytes: EVENT_LIMIT }, apps: [DISABLED, LIMITED] },
    'http-transport',
  );

  // An http.Agent request; resolves with the response and the local port of its socket.
  function agentRequest(agent, method, path, body) {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    return new Promise((resolve, reject) => {
      const headers = {};
      if (bytes.length > 0) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(bytes.length);
      }
      const options = { host: HOST, port: node.port, method, path, headers, agent, timeout: WAIT_MS };
      const req = http.request(options, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode,
            headers: res.headers,
            text,
            json,
            localPort: req.socket.localPort,
            reusedSocket: req.reusedSocket,
          });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no response within ${WAIT_MS} ms`)));
      req.on('error', reject);
      if (bytes.length > 0) req.write(bytes);
      req.end();
    });
  }

  test('keep-alive: two signed API requests and GET /healthz share one TCP connection (http.Agent)', T, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const channel = h.uniq('ka-');
      const subscriber = await h.open(node);
      await h.subOk(subscriber, channel);
      const body = JSON.stringify({ name: 'ka-event', channels: [channel], data: '{"n":1}' });
      const eventsPath = signedTarget(node.app, 'POST', `/apps/${node.app.id}/events`, Buffer.from(body));
      const first = await agentRequest(agent, 'POST', eventsPath, body);
      const second = await agentRequest(
        agent,
        'GET',
        signedTarget(node.app, 'GET', `/apps/${node.app.id}/channels`, undefined, { filter_by_prefix: channel }),
      );
      const third = await agentRequest(agent, 'GET', '/healthz');

      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.json, {});
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(second.json, { channels: { [channel]: {} } });
      assert.equal(third.status, 200, third.text);
      assert.equal(third.text, '{"status":"ok"}');
      for (const [what, r] of [['events', first], ['channels', second], ['healthz', third]]) {
        assert.equal(r.headers.connection, 'keep-alive', `${what}: Connection header`);
      }
      assert.equal(second.localPort, first.localPort, 'the second request used the same TCP connection');
      assert.equal(third.localPort, first.localPort, 'the third request used the same TCP connection');
      assert.equal(first.reusedSocket, false);
      assert.equal(second.reusedSocket, true);
      assert.equal(third.reusedSocket, true);

      const event = await subscriber.waitEvent('ka-event', channel);
      assert.equal(event.rawData, '{"n":1}');
    } finally {
      agent.destroy();
    }
  });

  test('keep-alive: requests written one after another on a raw socket are all answered on it', T, async () => {
    const conn = await RawHttp.open(node);
    const channel = h.uniq('ka-raw-');
    const body = JSON.stringify({ name: 'e', channels: [channel], data: 'x' });

    conn.write(eventsRequest(node.app, body));
    const r1 = await conn.nextResponse();
    conn.write(request('GET', signedTarget(node.app, 'GET', `/apps/${node.app.id}/channels/${channel}`)));
    const r2 = await conn.nextResponse();
    conn.write(request('GET', '/healthz'));
    const r3 = await conn.nextResponse();

    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.text, '{}');
    assert.equal(r2.status, 200, r2.text);
    assert.deepEqual(r2.json, { occupied: false });
    assert.equal(r3.status, 200, r3.text);
    assert.equal(r3.text, '{"status":"ok"}');
    for (const r of [r1, r2, r3]) assert.equal(r.headers.connection, 'keep-alive', r.statusLine);
    assert.equal(conn.closed, false, 'the connection is still open after three requests');
  });

  test('pipelining: requests written in one write are answered in order', T, async () => {
    const channel = h.uniq('pipe-');
    const subscriber = await h.open(node);
    await h.subOk(subscriber, channel);
    const conn = await RawHttp.open(node);
    const e1 = JSON.stringify({ name: 'pipe-1', channels: [channel], data: 'one' });
    const e2 = JSON.stringify({ name: 'pipe-2', channels: [channel], data: 'two' });
    conn.write(
      Buffer.concat([
        eventsRequest(node.app, e1),
        request('GET', '/no-such-endpoint'),
        request(
          'GET',
          signedTarget(node.app, 'GET', `/apps/${node.app.id}/channels/${channel}`, undefined, {
            info: 'subscription_count',
          }),
        ),
        eventsRequest(node.app, e2),
        request('GET', '/readyz'),
      ]),
    );
    const responses = [];
    for (let i = 0; i < 5; i += 1) responses.push(await conn.nextResponse());

    assert.equal(responses[0].status, 200, responses[0].text);
    assert.equal(responses[0].text, '{}');
    assertJsonError(responses[1], 404, 'pipelined unknown path');
    assert.equal(responses[2].status, 200, responses[2].text);
    assert.deepEqual(responses[2].json, { occupied: true, subscription_count: 1 });
    assert.equal(responses[3].status, 200, responses[3].text);
    assert.equal(responses[3].text, '{}');
    assert.equal(responses[4].status, 200, responses[4].text);
    assert.equal(responses[4].text, '{"status":"ok"}');
    assert.equal(conn.responses.length, 5, 'exactly five responses');

    const m1 = await subscriber.waitEvent('pipe-1', channel);
    const m2 = await subscriber.waitEvent('pipe-2', channel);
    assert.equal(m1.rawData, 'one');
    assert.equal(m2.rawData, 'two');
    assert.ok(m1.index < m2.index, 'the pipelined events arrive in request order');
  });

  // The node passes on up to 64 pipelined requests before the first is answered; events are
  // answered by the broker thread, health checks at once, so answers finish out of order.
  test('pipelining: 300 requests in one write, events and health checks alternating, are all answered in request order', T, async () => {
    const channel = h.uniq('pipe-many-');
    const subscriber = await h.open(node);
    await h.subOk(subscriber, channel);
    const conn = await RawHttp.open(node);
    const requests = [];
    for (let i = 0; i < 300; i += 1) {
      requests.push(
        i % 2 === 0
          ? eventsRequest(node.app, JSON.stringify({ name: 'seq', channels: [channel], data: String(i / 2) }))
          : request('GET', '/healthz'),
      );
    }
    conn.write(Buffer.concat(requests));
    for (let i = 0; i < 300; i += 1) {
      const response = await conn.nextResponse();
      assert.equal(response.status, 200, `response ${i}: ${response.text}`);
      assert.equal(response.text, i % 2 === 0 ? '{}' : '{"status":"ok"}', `response ${i} is not the answer to request ${i}`);
    }
    const events = () => subscriber.messages.filter((m) => m.event === 'seq' && m.channel === channel);
    await subscriber.waitUntil(() => (events().length >= 150 ? true : undefined), { what: '150 events' });
    const received = events().map((m) => Number(m.rawData));
    assert.deepEqual(received, Array.from({ length: 150 }, (_, i) => i), 'the events arrive once each, in request order');
    assert.equal(conn.closed, false);
  });

  // A parse pass queued once per freed slot found the 65th request's body not there yet and
  // passed the parser zero bytes, which it takes as the end of the stream: 400 and close.
  test('pipelining: 64 requests and the head of a 65th whose body comes later are all answered 200', T, async () => {
    const channel = h.uniq('pipe-65-');
    const conn = await RawHttp.open(node);
    const requests = Array.from({ length: 64 }, (_, i) =>
      eventsRequest(node.app, JSON.stringify({ name: 'e', channels: [channel], data: String(i) })),
    );
    const last = eventsRequest(node.app, JSON.stringify({ name: 'e', channels: [channel], data: 'last' }));
    const headEnd = last.indexOf('\r\n\r\n') + 4;
    conn.write(Buffer.concat([...requests, last.subarray(0, headEnd)]));
    for (let i = 0; i < 64; i += 1) {
      const response = await conn.nextResponse();
      assert.equal(response.status, 200, `response ${i}: ${response.text}`);
    }
    conn.write(last.subarray(headEnd));
    const response = await conn.nextResponse();
    assert.equal(response.status, 200, `the 65th: ${response.text}`);
    assert.equal(response.text, '{}');
    assert.equal(conn.closed, false);
  });

  // Answers a client has not taken count: past 1 MiB of them the node reads no more requests, so
  // a client that pipelines and never reads fills TCP's buffers and stops, instead of growing
  // the node's memory with every request it sends (it grew by 3 GB for 1 GB of requests).
  test('pipelining without reading the answers: TCP holds the client back, and the answers arrive in order once it reads', T, async () => {
    const socket = net.connect({ host: HOST, port: node.port });
    track(() => socket.destroy());
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.pause();
    const health = request('GET', '/healthz');
    const block = Buffer.concat(Array.from({ length: 16_384 }, () => health));
    const total = 128 * block.length;
    for (let i = 0; i < 128; i += 1) socket.write(block);
    // Until the node idles: then it either waits for the client to read or has read all of it.
    // (node:net counts what waits in the socket's own buffer as written too.)
    const takenByKernel = () => socket.bytesWritten - socket.writableLength;
    let ticks = cpuTicks(node.pid);
    for (;;) {
      await h.sleep(500);
      const now = cpuTicks(node.pid);
      if (takenByKernel() >= total || now - ticks <= 1) break;
      ticks = now;
    }
    const taken = takenByKernel();
    assert.ok(taken < total / 4, `the node took ${taken} of ${total} bytes from a client that reads nothing`);
    const other = await rawRoundTrip(node, request('GET', '/healthz'));
    assert.equal(other.response.status, 200, 'another client is served meanwhile');
    other.conn.destroy();

    const conn = new RawHttp(socket);
    socket.resume();
    for (let i = 0; i < 1000; i += 1) {
      const response = await conn.nextResponse();
      assert.equal(response.text, '{"status":"ok"}', `answer ${i}`);
    }
    conn.destroy();
  });

  test('pipelining: nothing after a Connection: close request or a malformed one is answered, and earlier answers still come first', T, async () => {
    const closing = await RawHttp.open(node);
    closing.write(
      Buffer.concat([
        eventsRequest(node.app, JSON.stringify({ name: 'e', channels: [h.uniq('c-')], data: 'x' })),
        request('GET', '/healthz', undefined, { Connection: 'close' }),
        request('GET', '/healthz'),
      ]),
    );
    assert.equal((await closing.nextResponse()).text, '{}');
    const last = await closing.nextResponse();
    assert.equal(last.text, '{"status":"ok"}');
    assert.equal(last.headers.connection, 'close');
    await closing.waitClosed();
    assert.equal(closing.responses.length, 2, 'the request after Connection: close was not answered');

    const broken = await RawHttp.open(node);
    broken.write(
      Buffer.concat([
        eventsRequest(node.app, JSON.stringify({ name: 'e', channels: [h.uniq('c-')], data: 'x' })),
        request('GET', '/healthz'),
        Buffer.from('NOT A REQUEST\r\n\r\n', 'latin1'),
        request('GET', '/healthz'),
      ]),
    );
    assert.equal((await broken.nextResponse()).text, '{}');
    assert.equal((await broken.nextResponse()).text, '{"status":"ok"}');
    assertJsonError(await broken.nextResponse(), 400, 'the malformed pipelined request');
    await broken.waitClosed();
    assert.equal(broken.responses.length, 3, 'the request after the malformed one was not answered');
  });

  // B14: the body arrives in four pieces 50 ms apart.
  async function triggerInPieces(app, channel, name, data, { chunked }) {
    const body = Buffer.from(JSON.stringify({ name, channels: [channel], data }));
    const target = signedTarget(app, 'POST', `/apps/${app.id}/events`, body);
    const conn = await RawHttp.open(node);
    const headers = chunked
      ? { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }
      : { 'Content-Type': 'application/json', 'Content-Length': body.length };
    conn.write(head('POST', target, headers));
    for (const piece of split(body, 4)) {
      await h.sleep(50);
      conn.write(chunked ? asChunk(piece) : piece);
    }
    if (chunked) {
      await h.sleep(50);
      conn.write('0\r\n\r\n');
    }
    const response = await conn.nextResponse();
    return { conn, response, body };
  }

  for (const chunked of [false, true]) {
    const how = chunked ? 'Transfer-Encoding: chunked' : 'Content-Length';
    test(`B14: data just under the event limit, body in 4 pieces 50 ms apart (${how}) -> 200, byte-identical delivery`, T, async () => {
      const channel = h.uniq('b14-');
      const subscriber = await h.open(node);
      await h.subOk(subscriber, channel);
      for (let run = 0; run < 5; run += 1) {
        const data = payloadOfBytes(EVENT_LIMIT - 1 - run); // 10239 … 10235 bytes: split points vary
        const { response, body } = await triggerInPieces(node.app, channel, `b14-${run}`, data, { chunked });
        assert.ok(body.length > EVENT_LIMIT, 'the body itself is larger than the event limit');
        assert.equal(response.status, 200, `run ${run}: ${response.statusLine} ${response.text}`);
        assert.equal(response.text, '{}');
        const event = await subscriber.waitEvent(`b14-${run}`, channel);
        assert.equal(typeof event.rawData, 'string');
        assert.ok(
          Buffer.from(event.rawData, 'utf8').equals(Buffer.from(data, 'utf8')),
          `run ${run}: delivered data differs ` +
            `(got ${Buffer.byteLength(event.rawData)} bytes, sent ${Buffer.byteLength(data)})`,
        );
      }
    });

    test(`B14: data one byte over the event limit, body in 4 pieces (${how}) -> 413 with a JSON error, nothing delivered`, T, async () => {
      const channel = h.uniq('b14-over-');
      const subscriber = await h.open(node);
      await h.subOk(subscriber, channel);
      const mark = subscriber.mark();
      const over = payloadOfBytes(EVENT_LIMIT + 1);
      const { response } = await triggerInPieces(node.app, channel, 'b14-over', over, { chunked });
      assertJsonError(response, 413, 'data one byte over the limit');

      // The data exactly at the limit still passes on the same path.
      const exact = payloadOfBytes(EVENT_LIMIT);
      const { response: atLimit } = await triggerInPieces(node.app, channel, 'b14-at', exact, { chunked });
      assert.equal(atLimit.status, 200, atLimit.text);
      const next = await subscriber.waitFor((m) => m.event?.startsWith('b14-'));
      assert.equal(next.event, 'b14-at', 'the refused event was not delivered');
      assert.equal(subscriber.since(mark).filter((m) => m.event === 'b14-over').length, 0);
    });
  }

  const OVERSIZED_HEADS = [
    ['one 100 KB header line', { 'X-Big': 'a'.repeat(100 * 1024) }],
    ['40 headers of 500 bytes (a 20 KB block)', manyHeaders(40, 'X-H', 'b'.repeat(500))],
    ['10,000 short header lines', manyHeaders(10_000, 'X-L', 'c')],
  ];
  for (const [what, headers] of OVERSIZED_HEADS) {
    test(`B34: a request head above 16 KB (${what}, one write) gets 431 and the connection is closed`, T, async () => {
      const bytes = head('GET', '/healthz', headers);
      assert.ok(bytes.length > HEADER_LIMIT, 'the head is above the limit');
      const { conn, response } = await rawRoundTrip(node, bytes);
      assertJsonError(response, 431, what);
      assert.equal(response.headers.connection, 'close', 'Connection: close');
      await conn.waitClosed();
      assert.equal(conn.responses.length, 1, 'exactly one response');
    });
  }

  test('a request head just under 16 KB is served normally', T, async () => {
    const fits = head('GET', '/healthz', { 'X-Fits': 'd'.repeat(HEADER_LIMIT - 200) });
    assert.ok(fits.length < HEADER_LIMIT);
    const { response } = await rawRoundTrip(node, fits);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.text, '{"status":"ok"}');
  });

  test('B34: a head above 16 KB trickled in 1 KB writes gets 431 and close', T, async () => {
    const conn = await RawHttp.open(node);
    conn.write(`GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: `);
    for (let sent = 0; sent <= HEADER_LIMIT + 1024 && !conn.closed; sent += 1024) {
      conn.write('e'.repeat(1024));
      await h.sleep(5);
    }
    const response = await conn.nextResponse();
    assertJsonError(response, 431, 'trickled head');
    await conn.waitClosed();
  });

  // A chunked body may end with trailer fields; they fall under the header limit and are never
  // taken for headers of the request (a proxy that filters headers may pass trailers on).
  test('chunked trailers above 16 KB get 431 and close; smaller ones are ignored', T, async () => {
    const channel = h.uniq('trailers-');
    const body = Buffer.from(JSON.stringify({ name: 'e', channels: [channel], data: 'x' }));
    const target = signedTarget(node.app, 'POST', `/apps/${node.app.id}/events`, body);
    const chunkedHead = head('POST', target, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const trailers = (count) => Object.entries(manyHeaders(count, 'X-Trailer-', 'v'.repeat(100)))
      .map(([name, value]) => `${name}: ${value}\r\n`).join('');

    const small = await RawHttp.open(node);
    small.write(Buffer.concat([chunkedHead, asChunk(body), Buffer.from(`0\r\n${trailers(10)}\r\n`)]));
    const accepted = await small.nextResponse();
    assert.equal(accepted.status, 200, accepted.text);
    small.destroy();

    const large = await RawHttp.open(node);
    large.write(Buffer.concat([chunkedHead, asChunk(body), Buffer.from(`0\r\n${trailers(170)}\r\n`)]));
    assertJsonError(await large.nextResponse(), 431, 'trailers of 17 KB');
    await large.waitClosed();
  });

  test('a garbage request line gets 400 and the connection is closed', T, async () => {
    const garbage = [
      ['words', Buffer.from('THIS IS NOT HTTP\r\n\r\n')],
      ['TLS ClientHello on the plain port', Buffer.from('160301020001000200030386a1b2c3d4e5f60718293a4b5c6d7e8f', 'hex')],
      ['bad version', Buffer.from(`GET /healthz HTTP/x.y\r\nHost: ${HOST}\r\n\r\n`)],
      ['space in the request target', Buffer.from(`GET /hea lthz HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`)],
    ];
    for (const [what, bytes] of garbage) {
      const { conn, response } = await rawRoundTrip(node, bytes);
      assertJsonError(response, 400, what);
      assert.equal(response.headers.connection, 'close', `${what}: Connection: close`);
      await conn.waitClosed();
    }
  });

  test('GET /healthz and /readyz answer 200 {"status":"ok"}; unknown paths and app ids answer 404 JSON', T, async () => {
    for (const path of ['/healthz', '/readyz']) {
      const { response } = await rawRoundTrip(node, request('GET', path));
      assert.equal(response.status, 200, `${path}: ${response.text}`);
      assert.match(response.headers['content-type'], /^application\/json/);
      assert.equal(response.text, '{"status":"ok"}');
    }
    const { response: unknown } = await rawRoundTrip(node, request('GET', '/no/such/path'));
    assertJsonError(unknown, 404, 'GET /no/such/path');

    const { response: badId } = await rawRoundTrip(
      node,
      request('GET', signedTarget(node.app, 'GET', '/apps/UNKNOWN/channels')),
    );
    assertJsonError(badId, 404, 'GET /apps/UNKNOWN/channels');
    const missingApp = await h.api(node, 'GET', '/apps/999999/channels');
    assert.equal(missingApp.status, 404, missingApp.text);
    assert.equal(typeof missingApp.json?.error, 'string', missingApp.text);

    const wrongEndpoint = await h.api(node, 'GET', `/apps/${node.app.id}/no-such-endpoint`);
    assert.equal(wrongEndpoint.status, 404, wrongEndpoint.text);
    assert.equal(typeof wrongEndpoint.json?.error, 'string', wrongEndpoint.text);
  });

  test('B34: clients that connect and send nothing (or half a head) are closed within 15 s; others are served meanwhile', { timeout: 90_000 }, async () => {
    const IDLE = 20;
    const HALF = 5;
    const started = Date.now();
    const stalled = [];
    for (let i = 0; i < IDLE; i += 1) stalled.push(await RawHttp.open(node));
    for (let i = 0; i < HALF; i += 1) {
      const conn = await RawHttp.open(node);
      conn.write(`GET /app/${node.app.key}?protocol=7 HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\n`);
      stalled.push(conn);
    }
    const closedAt = stalled.map((conn) => conn.closedPromise.then(() => Date.now() - started));

    // Meanwhile normal clients are served, one WebSocket and one API request per second.
    const served = [];
    for (let i = 0; i < 5; i += 1) {
      const client = await h.open(node);
      const { response } = await rawRoundTrip(node, request('GET', '/healthz'));
      assert.equal(response.status, 200);
      served.push(client.socketId);
      await client.close();
      await h.sleep(1_000);
    }
    assert.equal(served.length, 5);

    const left = Math.max(0, 15_000 - (Date.now() - started));
    const times = await h.withTimeout(Promise.all(closedAt), left + 1_000, 'the server closing every stalled socket');
    for (const [i, ms] of times.entries()) {
      assert.ok(ms <= 15_000, `stalled connection ${i} closed after ${ms} ms (allowed: 15 s)`);
    }
  });

  test('a WebSocket upgrade on a path other than /app/KEY is closed with 4005', T, async () => {
    for (const path of ['/', '/socket', `/apps/${node.app.key}`, `/application/${node.app.key}`]) {
      const client = h.connect(node, { path: `${path}?protocol=7&client=js&version=8.6.0` });
      const info = await client.waitClose();
      assert.equal(info.code, 4005, `${path}: close ${info.code} "${info.reason}"`);
      const errors = client.events('pusher:error');
      assert.equal(errors.length, 1, `${path}: ${h.describeMessages(client.messages)}`);
      assert.equal(errors[0].data.code, 4005);
      assert.equal(client.events('pusher:connection_established').length, 0);
    }
  });

  test('a WebSocket upgrade of another version gets 426, one without a valid key or with bare-LF lines gets 400, each then closed', T, async () => {
    const upgrade = (headers, ending = '\r\n') =>
      Buffer.from(
        [`GET /app/${node.app.key}?protocol=7 HTTP/1.1`, `Host: ${HOST}`, 'Upgrade: websocket', 'Connection: Upgrade', ...headers]
          .join(ending) + ending + ending,
        'latin1',
      );
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const cases = [
      ['version 8', upgrade(['Sec-WebSocket-Version: 8', `Sec-WebSocket-Key: ${key}`]), 426],
      ['no key', upgrade(['Sec-WebSocket-Version: 13']), 400],
      ['a 5-byte key', upgrade(['Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: aGVsbG8=']), 400],
      ['bare-LF lines', upgrade(['Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`], '\n'), 400],
      // A blank CRLF line further on is in what follows the head, not its end.
      ['bare-LF lines, then a blank CRLF line',
        Buffer.concat([upgrade(['Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`], '\n'), Buffer.from('x\r\n\r\n')]), 400],
    ];
    for (const [what, bytes, status] of cases) {
      const conn = await RawHttp.open(node);
      conn.write(bytes);
      assertJsonError(await conn.nextResponse(), status, what);
      await conn.waitClosed();
    }
  });

  // Empty lines before a request line are to be skipped (RFC 9112, 2.2); the end of an upgrade
  // request's head was looked for from the first of them, so the request was read as frames.
  test('empty lines before a WebSocket upgrade request are skipped', T, async () => {
    const ws = await rawWebSocket(node, '\r\n\r\n');
    await ws.waitFor('pusher:connection_established');
    assert.match(ws.received(), /^HTTP\/1\.1 101 /, ws.received().slice(0, 200));
    assert.match(ws.received(), /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
    // The request was not taken for frames: the WebSocket stays open and answers a ping.
    ws.socket.write(maskedTextFrame('{"event":"pusher:ping","data":{}}'));
    await ws.waitFor('pusher:pong');
    ws.socket.destroy();
  });

  // A client may shut down its sending side after its last request and still read: the answers
  // go out before the node closes (they were dropped with the connection).
  test('HTTP clients that half-close right after their requests get every answer, in order, then the end', T, async () => {
    const channel = h.uniq('half-http-');
    const subscriber = await h.open(node);
    await h.subOk(subscriber, channel);
    // One event each, then the end of input at once: the answer comes from the broker after the
    // node has seen the end.
    for (let i = 0; i < 10; i += 1) {
      const conn = await RawHttp.open(node);
      conn.socket.end(eventsRequest(node.app, JSON.stringify({ name: 'half', channels: [channel], data: `one-${i}` })));
      const response = await conn.nextResponse();
      assert.equal(response.text, '{}', `request ${i}: ${response.statusLine}`);
      await conn.waitClosed();
    }
    // Pipelined: events and health checks alternating.
    const conn = await RawHttp.open(node);
    const requests = [];
    for (let i = 0; i < 100; i += 1) {
      requests.push(i % 2 === 0
        ? eventsRequest(node.app, JSON.stringify({ name: 'half', channels: [channel], data: `many-${i / 2}` }))
        : request('GET', '/healthz'));
    }
    conn.socket.end(Buffer.concat(requests));
    for (let i = 0; i < 100; i += 1) {
      const response = await conn.nextResponse();
      assert.equal(response.text, i % 2 === 0 ? '{}' : '{"status":"ok"}', `answer ${i}: ${response.statusLine}`);
    }
    await conn.waitClosed();
    assert.equal(conn.sawEnd, true, 'the node ended the connection with FIN');
    const expected = [...Array.from({ length: 10 }, (_, i) => `one-${i}`), ...Array.from({ length: 50 }, (_, i) => `many-${i}`)];
    const events = () => subscriber.messages.filter((m) => m.event === 'half' && m.channel === channel);
    await subscriber.waitUntil(() => (events().length >= expected.length ? true : undefined), { what: 'every event' });
    assert.deepEqual(events().map((m) => m.rawData), expected, 'each event published once, in order');
  });

  test('a disabled app: WebSocket closed with 4003, signed API requests answered 403', T, async () => {
    const client = h.connect(node, { app: DISABLED });
    const info = await client.waitClose();
    assert.equal(info.code, 4003, `close ${info.code} "${info.reason}"`);
    assert.equal(client.events('pusher:connection_established').length, 0);

    const get = await h.api(node, 'GET', `/apps/${DISABLED.id}/channels`, { app: DISABLED });
    assert.equal(get.status, 403, get.text);
    assert.equal(typeof get.json?.error, 'string', get.text);
    const post = await h.trigger(node, ['news'], 'e', 'x', { app: DISABLED });
    assert.equal(post.status, 403, post.text);
    assert.equal(typeof post.json?.error, 'string', post.text);
    // The enabled default app on the same node is unaffected.
    const ok = await h.trigger(node, ['news'], 'e', 'x');
    assert.equal(ok.status, 200, ok.text);
  });

  test('max_connections 2: the third WebSocket gets pusher:error 4004 and close 4004; the first two keep working', T, async () => {
    const channel = h.uniq('quota-');
    const c1 = await h.open(node, { app: LIMITED });
    const c2 = await h.open(node, { app: LIMITED });
    await h.subOk(c1, channel);
    await h.subOk(c2, channel);

    const c3 = h.connect(node, { app: LIMITED });
    const info = await c3.waitClose();
    assert.equal(info.code, 4004, `close ${info.code} "${info.reason}"`);
    const errors = c3.events('pusher:error');
    assert.equal(errors.length, 1, h.describeMessages(c3.messages));
    assert.equal(errors[0].data.code, 4004);

    await c1.ping();
    await c2.ping();
    await h.triggerOk(node, [channel], 'still-here', 'ok', { app: LIMITED });
    for (const c of [c1, c2]) {
      const event = await c.waitEvent('still-here', channel);
      assert.equal(event.rawData, 'ok');
      assert.ok(c.isOpen);
    }
    // Other apps on the node are not limited by this app's quota.
    const others = [await h.open(node), await h.open(node), await h.open(node)];
    for (const other of others) assert.ok(other.isOpen);
  });
});

// ---------------------------------------------------------------------------------------------
// Small-body node: max_http_body_bytes 4096.

describe('HTTP body limit (max_http_body_bytes 4096)', () => {
  const node = useNode({ max_http_body_bytes: BODY_LIMIT }, 'http-body-limit');

  // A /events body of exactly `bytes` bytes.
  function eventsBodyOfBytes(channel, bytes) {
    const empty = JSON.stringify({ name: 'sized', channels: [channel], data: '' });
    const body = JSON.stringify({ name: 'sized', channels: [channel], data: 'z'.repeat(bytes - empty.length) });
    assert.equal(Buffer.byteLength(body), bytes);
    return Buffer.from(body);
  }

  test('a body of exactly max_http_body_bytes is accepted; one byte more gets 413 and close', T, async () => {
    const channel = h.uniq('body-');
    const subscriber = await h.open(node);
    await h.subOk(subscriber, channel);

    const fits = eventsBodyOfBytes(channel, BODY_LIMIT);
    const { response: ok } = await rawRoundTrip(node, eventsRequest(node.app, fits));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.text, '{}');
    const event = await subscriber.waitEvent('sized', channel);
    const envelope = JSON.stringify({ name: 'sized', channels: [channel], data: '' }).length;
    assert.equal(Buffer.byteLength(event.rawData), BODY_LIMIT - envelope);

    const tooBig = eventsBodyOfBytes(channel, BODY_LIMIT + 1);
    const { conn, response } = await rawRoundTrip(node, eventsRequest(node.app, tooBig));
    assertJsonError(response, 413, 'body one byte over max_http_body_bytes (Content-Length)');
    assert.equal(response.headers.connection, 'close');
    await conn.waitClosed();
  });

  // A raw client that writes a large body without reading (like `curl --data-binary @big`).
  // The node must still deliver the 413 and then end the connection in an orderly way; closing
  // with unread input makes the kernel send a reset that can destroy the response before the
  // client reads it (RFC 9112 section 9.6, "tear-down": half-close, then drain). 8 MB is more
  // than the kernel buffers hold, so the node cannot have read the whole body when it answers.
  test('an oversized Content-Length body streamed without waiting on a raw socket gets 413 and close', T, async () => {
    const body = eventsBodyOfBytes(h.uniq('stream-'), 8 * 1024 * 1024);
    const target = signedTarget(node.app, 'POST', `/apps/${node.app.id}/events`, body);
    const conn = await RawHttp.open(node);
    conn.write(head('POST', target, { 'Content-Type': 'application/json', 'Content-Length': body.length }));
    for (const piece of split(body, 128)) conn.write(piece);
    const response = await conn.nextResponse();
    assertJsonError(response, 413, 'streamed Content-Length body');
    assert.equal(response.headers.connection, 'close');
    await conn.waitClosed();
    assert.equal(conn.sawEnd, true, 'the server ended the connection with FIN');
    assert.equal(conn.error, undefined, `torn down with ${conn.error?.code} instead of an orderly close`);
  });

  test('an oversized chunked body streamed without waiting on a raw socket gets 413 and close', T, async () => {
    // Chunked: the size is only known while the body arrives.
    const body = eventsBodyOfBytes(h.uniq('stream-'), 8 * 1024 * 1024);
    const target = signedTarget(node.app, 'POST', `/apps/${node.app.id}/events`, body);
    const conn = await RawHttp.open(node);
    conn.write(head('POST', target, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }));
    for (const piece of split(body, 128)) {
      conn.write(asChunk(piece));
    }
    conn.write('0\r\n\r\n');
    const response = await conn.nextResponse();
    assertJsonError(response, 413, 'streamed chunked body');
    assert.equal(response.headers.connection, 'close');
    await conn.waitClosed();
    assert.equal(conn.sawEnd, true, 'the server ended the connection with FIN');
    assert.equal(conn.error, undefined, `torn down with ${conn.error?.code} instead of an orderly close`);
  });

  // The same through node:http, the stack the `pusher` SDK uses: the body is written in 64
  // pieces without waiting, with Content-Length or (without it) chunked.
  for (const chunked of [false, true]) {
    test(`an oversized body streamed through node:http (${chunked ? 'chunked' : 'Content-Length'}) gets 413 and close`, T, async () => {
      const body = eventsBodyOfBytes(h.uniq('stream-'), 1024 * 1024);
      const path = signedTarget(node.app, 'POST', `/apps/${node.app.id}/events`, body);
      const headers = { 'Content-Type': 'application/json' };
      if (!chunked) headers['Content-Length'] = String(body.length);
      const result = await new Promise((resolve, reject) => {
        const options = { host: HOST, port: node.port, method: 'POST', path, headers, agent: false };
        const req = http.request(options, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const socketClosed = new Promise((done) => {
              if (req.socket.destroyed) done();
              else req.socket.once('close', done);
            });
            const text = Buffer.concat(chunks).toString('utf8');
            let json;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            const statusLine = `HTTP ${res.statusCode}`;
            resolve({ status: res.statusCode, statusLine, headers: res.headers, text, json, socketClosed });
          });
        });
        req.setTimeout(WAIT_MS, () => req.destroy(new Error(`no response within ${WAIT_MS} ms`)));
        req.on('error', (error) => {
          reject(new Error(`request failed before a response: ${error.code ?? error.message}`));
        });
        for (const piece of split(body, 64)) req.write(piece);
        req.end();
      });
      assertJsonError(result, 413, `node:http ${chunked ? 'chunked' : 'Content-Length'} body`);
      assert.equal(result.headers.connection, 'close');
      await h.withTimeout(result.socketClosed, WAIT_MS, 'the server closing the connection');
    });
  }

  test('a Content-Length far above the limit is refused from the head alone, before any body byte', T, async () => {
    const target = signedTarget(node.app, 'POST', `/apps/${node.app.id}/events`, Buffer.from('{}'));
    const conn = await RawHttp.open(node);
    conn.write(head('POST', target, { 'Content-Type': 'application/json', 'Content-Length': 100 * 1024 * 1024 }));
    // No body byte is ever sent: the answer can only come from the head.
    const response = await conn.nextResponse();
    assertJsonError(response, 413, 'Content-Length 100 MB');
    assert.equal(response.headers.connection, 'close');
    await conn.waitClosed();
  });

  test('after an oversized request the node still serves API requests', T, async () => {
    const channel = h.uniq('after-');
    const subscriber = await h.open(node);
    await h.subOk(subscriber, channel);
    await h.triggerOk(node, [channel], 'after-413', 'fine');
    const event = await subscriber.waitEvent('after-413', channel);
    assert.equal(event.rawData, 'fine');
  });
});
