'use strict';

// The admin channel (docs/admin-protocol.md) under bad input and faults, as a scanner, a
// broken console or a hostile operator holding only the read-only key would use it:
// connections that stall at every stage, malformed and oversize frames, the connection and
// stream caps, floods, edge ids and wrongly typed params, the read-only role against every
// command, the login limit (with other loopback source addresses), a console that stops
// reading, kicks and publications the HTTP API would refuse. Every test ends by checking the
// node still answers /healthz and an admin hello.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');
const WebSocket = require('ws');
const { useNode, startNode, HOST } = require('../compat/lib/node');
const h = require('../compat/lib/helpers');
const { track } = require('../compat/lib/cleanup');
const { adminKeys, adminConnect, adminSession, Collection } = require('../compat/lib/admin');

const OTHER_APP = Object.freeze({ id: '202', key: 'key2', secret: 'secret2' });
const node = useNode({ node_name: 'hostile-test', apps: [OTHER_APP] }, 'hostile');
const T = { timeout: 60_000 };
const WAIT_MS = 10_000;
// Long enough for anything the node does on its own clock (the 10 s hello deadline, the
// TLS / upgrade handshake timeout, the 5 s close-reply timeout) to have happened.
const SLOW_WAIT_MS = 25_000;

// ---------------------------------------------------------------------------------------------
// Small helpers

function auditLines(n = node) {
  const file = path.join(n.dataDir, 'audit.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
}

function healthz(n) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: HOST, port: n.port, path: '/healthz', agent: false, timeout: WAIT_MS }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('timeout', () => request.destroy(new Error('/healthz: no answer')));
    request.on('error', reject);
  });
}

// The node is still up, answers /healthz and lets an admin say hello (from 127.0.0.1).
async function assertServing(n = node) {
  assert.ok(n.alive, `the node ${n.label} is still running (exit: ${JSON.stringify(n.exitInfo)})`);
  assert.equal(await healthz(n), 200);
  const admin = await adminSession(n);
  assert.equal(admin.hello.role, 'admin');
  assert.deepEqual(Object.keys(await admin.ok('subscribe', { stream: 'topology' })), ['stream']);
  await admin.close();
}

function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) * 1024;
}

function whenClosed(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed && socket.closed) resolve();
    else socket.once('close', resolve);
  });
}

// A TLS connection to the admin port, nothing sent yet.
function tlsConnect(n, { localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: HOST, port: n.adminPort, rejectUnauthorized: false, localAddress });
    track(() => socket.destroy());
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

// A TLS connection with the WebSocket upgrade done by hand: a helpers.RawSocket whose frames
// the test writes itself (with helpers.frame) and whose server frames it reads.
async function rawAdmin(n, { localAddress, path: urlPath = '/admin' } = {}) {
  const socket = await tlsConnect(n, { localAddress });
  socket.on('error', () => {});
  const raw = await h.raw(n, { socket, port: n.adminPort, path: urlPath });
  assert.equal(raw.statusLine, 'HTTP/1.1 101 Switching Protocols');
  return raw;
}

// The first close frame the node sent on a raw socket: {code, reason}.
async function closeFrame(raw, timeout = WAIT_MS) {
  const frame = await raw.waitFrame((f) => f.opcode === 0x8, { timeout, what: 'a close frame' });
  return { code: frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined, reason: frame.payload.subarray(2).toString('utf8') };
}

const textOf = (object) => h.frame({ opcode: 0x1, payload: Buffer.from(typeof object === 'string' ? object : JSON.stringify(object)) });

// A minimal admin client whose socket is bound to a chosen loopback source address, so that
// the login limiter (per remote address) sees it as another host. Replies are kept in order.
class BoundAdmin {
  constructor(n, localAddress) {
    this.localAddress = localAddress;
    this.nextId = 1;
    this.replies = [];
    this.listeners = new Set();
    this.closeInfo = undefined;
    this.ws = new WebSocket(`wss://${HOST}:${n.adminPort}/admin`, { rejectUnauthorized: false, handshakeTimeout: 5_000, localAddress });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this._notify();
        resolve(this.closeInfo);
      });
    });
    this.ws.on('error', () => {});
    this.ws.on('message', (data) => {
      this.replies.push(JSON.parse(data.toString()));
      this._notify();
    });
    track(() => this.close());
  }

  _notify() {
    for (const check of [...this.listeners]) check();
  }

  until(pred, what, timeout = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = pred();
        if (value) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`admin from ${this.localAddress}: no ${what} within ${timeout} ms (closed: ${JSON.stringify(this.closeInfo)})`));
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }

  call(method, params) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
    return this.until(() => this.replies.find((r) => r.id === id), `reply to ${method} #${id}`);
  }

  waitClose(timeout = WAIT_MS) {
    return this.until(() => this.closeInfo, 'close', timeout);
  }

  close() {
    if (this.closeInfo) return this.closeInfo;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 3_000);
    return this.closed.finally(() => clearTimeout(timer));
  }
}

async function boundAdmin(n, localAddress) {
  const client = new BoundAdmin(n, localAddress);
  await client.opened;
  return client;
}

// One hello from `localAddress` on a fresh connection: the reply and, when the node closed
// the connection after it, the close.
async function helloFrom(n, localAddress, key) {
  const client = await boundAdmin(n, localAddress);
  const params = { protocol: 1, client: 'hostile-tests' };
  if (key !== undefined) params.key = key;
  const reply = await client.call('hello', params);
  // A wrong key is answered, then the connection is closed with 4001.
  if (reply.error?.code === 'unauthorized') await client.waitClose();
  return { client, reply };
}

// Opens a connection and says hello; resolves with the client, or with the close code when
// the node refused the connection before answering.
async function trySession(n) {
  const client = await adminConnect(n, 'admin(cap)');
  const reply = await Promise.race([
    client.call('hello', { protocol: 1, key: adminKeys(n).admin }).catch(() => null),
    client.closed.then(() => null),
  ]);
  if (reply?.result) return client;
  return (client.closeInfo ?? (await client.closed)).code;
}

// Publishes a marker through the HTTP API and waits until `client` has it: every frame the
// node queued for the client before the marker has then arrived too.
async function drainWithMarker(n, client, channel) {
  const marker = h.uniq('marker-');
  await h.triggerOk(n, channel, 'marker', marker);
  await client.waitFor((m) => m.event === 'marker' && m.channel === channel && m.data === marker, { what: 'the marker' });
}

// ---------------------------------------------------------------------------------------------
// Connections that stall or speak the wrong thing

test('connections that never start TLS, never upgrade or never say hello are dropped, the last with 4008', T, async () => {
  // A bare TCP connection, a TLS connection with no HTTP, a WebSocket that stays silent and one
  // that sends everything but a successful hello: the node must close all four by itself.
  const bare = net.connect({ host: HOST, port: node.adminPort });
  track(() => bare.destroy());
  bare.on('error', () => {});
  const bareClosed = whenClosed(bare);
  const tlsOnly = await tlsConnect(node);
  tlsOnly.on('error', () => {});
  const tlsOnlyClosed = whenClosed(tlsOnly);
  const silent = await rawAdmin(node);
  const chatty = await rawAdmin(node);
  chatty.write(textOf({ id: 1, method: 'subscribe', params: { stream: 'topology' } }));
  chatty.write(textOf({ id: 2, method: 'hello', params: { protocol: 2, key: adminKeys(node).admin } }));
  chatty.write(textOf({ id: 3, method: 'kick', params: { connection: '1' } }));
  const early = await chatty.waitUntil((r) => (r.messages.length >= 3 ? r.messages.map((m) => m.json) : null), { what: 'three replies' });
  assert.deepEqual(early.map((m) => [m.id, m.error.code]), [[1, 'unauthenticated'], [2, 'unsupported_protocol'], [3, 'unauthenticated']]);

  // Meanwhile a real console is served.
  const admin = await adminSession(node);
  await admin.subscribe({ stream: 'topology' });

  assert.equal((await closeFrame(silent, SLOW_WAIT_MS)).code, 4008);
  assert.equal((await closeFrame(chatty, SLOW_WAIT_MS)).code, 4008);
  await h.withTimeout(Promise.all([bareClosed, tlsOnlyClosed]), SLOW_WAIT_MS, 'the node dropping the connections that never finished TLS / the upgrade');
  await h.withTimeout(Promise.all([silent.endedPromise, chatty.endedPromise]), SLOW_WAIT_MS, 'the node dropping the 4008 connections');
  // The authenticated console was not caught by the hello deadline.
  assert.equal(admin.closeInfo, undefined);
  await assertServing();
});

test('plain HTTP, a cleartext WebSocket upgrade and garbage on the TLS port are dropped without an answer', T, async () => {
  const attempts = [
    ['cleartext upgrade', `GET /admin HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`],
    ['cleartext GET', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['random bytes', crypto.randomBytes(64 * 1024)],
    ['an oversize TLS record header', Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0xff, 0xff, 0xff])],
  ];
  await Promise.all(
    attempts.map(async ([what, bytes]) => {
      const socket = net.connect({ host: HOST, port: node.adminPort });
      track(() => socket.destroy());
      socket.on('error', () => {});
      let received = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
      });
      const closed = whenClosed(socket);
      socket.write(bytes);
      await h.withTimeout(closed, SLOW_WAIT_MS, `the node dropping the ${what}`);
      assert.ok(!received.includes('HTTP/1.1'), `${what}: the node answered in cleartext: ${received.toString('latin1').slice(0, 80)}`);
    }),
  );

  // Inside TLS: garbage instead of HTTP, a GET without the upgrade, endless headers.
  const inside = [
    ['garbage', Buffer.from('\u0000\u0001garbage\r\n\r\n')],
    ['a GET without Upgrade', Buffer.from(`GET /admin HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`)],
    ['2 MB of header that never ends', Buffer.from(`GET /admin HTTP/1.1\r\nHost: ${HOST}\r\nX-Junk: ${'a'.repeat(2_000_000)}`)],
  ];
  await Promise.all(
    inside.map(async ([what, bytes]) => {
      const socket = await tlsConnect(node);
      socket.on('error', () => {});
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
      });
      const closed = whenClosed(socket);
      socket.write(bytes);
      await h.withTimeout(closed, SLOW_WAIT_MS, `the node dropping TLS + ${what}`);
      assert.ok(!received.includes('101 Switching Protocols'), `${what} was upgraded: ${received.slice(0, 80)}`);
    }),
  );
  await assertServing();
});

// ---------------------------------------------------------------------------------------------
// Frames

test('frames: a 64 KiB request is served; 64 KiB + 1, a 100 MB header and fragments adding up past 64 KiB are 1009', T, async () => {
  const key = adminKeys(node).admin;
  const base = JSON.stringify({ id: 9, method: 'hello', params: { protocol: 1, key, client: '' } });
  const exact = await rawAdmin(node);
  exact.write(textOf({ id: 9, method: 'hello', params: { protocol: 1, key, client: 'x'.repeat(65536 - base.length) } }));
  const hello = await exact.waitFor((m) => m.json?.id === 9, { what: 'the reply to a 64 KiB hello' });
  assert.equal(hello.json.result.role, 'admin');

  const over = await rawAdmin(node);
  over.write(h.frame({ payload: Buffer.alloc(64 * 1024 + 1, 0x20) }));
  assert.equal((await closeFrame(over)).code, 1009);

  // Only the header and a few bytes of a 100 MB frame: refused from the header.
  const huge = await rawAdmin(node);
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(100n * 1024n * 1024n, 2);
  huge.write(Buffer.concat([header, Buffer.alloc(1000)]));
  assert.equal((await closeFrame(huge)).code, 1009);

  const fragments = await rawAdmin(node);
  for (let i = 0; i < 5; ++i) fragments.write(h.frame({ fin: i === 4, opcode: i === 0 ? 0x1 : 0x0, payload: Buffer.alloc(16 * 1024, 0x20) }));
  assert.equal((await closeFrame(fragments)).code, 1009);

  // The same after hello, through the ordinary client.
  const admin = await adminSession(node);
  admin.ws.send('x'.repeat(64 * 1024 + 1));
  assert.equal((await admin.waitClose()).code, 1009);
  await h.withTimeout(Promise.all([over.endedPromise, huge.endedPromise, fragments.endedPromise]), SLOW_WAIT_MS, 'the 1009 connections dropped');
  assert.equal(exact.ended, false);
  await assertServing();
});

test('frames: invalid UTF-8 is 1007, binary (also fragmented) 1003, protocol violations 1002', T, async () => {
  const cases = [
    ['invalid UTF-8', 1007, h.frame({ payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })],
    ['an overlong encoding inside a string', 1007, h.frame({ payload: Buffer.concat([Buffer.from('{"id":1,"method":"hello","params":{"client":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}}')]) })],
    ['a lone surrogate', 1007, h.frame({ payload: Buffer.concat([Buffer.from('{"id":1,"method":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]) })],
    ['a fragmented binary message', 1003, Buffer.concat([h.frame({ fin: false, opcode: 0x2, payload: Buffer.from('{') }), h.frame({ opcode: 0x0, payload: Buffer.from('}') })])],
    ['RSV1 without an extension', 1002, h.frame({ rsv1: true, payload: Buffer.from('{}') })],
    ['a reserved opcode', 1002, h.frame({ opcode: 0x3, payload: Buffer.from('{}') })],
    ['a continuation with nothing to continue', 1002, h.frame({ opcode: 0x0, payload: Buffer.from('{}') })],
    ['a 200-byte ping', 1002, h.frame({ opcode: 0x9, payload: Buffer.alloc(200) })],
    ['a fragmented ping', 1002, h.frame({ fin: false, opcode: 0x9, payload: Buffer.alloc(2) })],
    ['a length with the top bit set', 1002, Buffer.from([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])],
  ];
  const outcomes = await Promise.all(
    cases.map(async ([what, , bytes]) => {
      const raw = await rawAdmin(node);
      raw.write(bytes);
      return [what, (await closeFrame(raw)).code];
    }),
  );
  assert.deepEqual(outcomes, cases.map(([what, code]) => [what, code]));
  await assertServing();
});

test('frames: a request fragmented over continuation frames, with a ping in between, is answered', T, async () => {
  const raw = await rawAdmin(node);
  const request = Buffer.from(JSON.stringify({ id: 4, method: 'hello', params: { protocol: 1, key: adminKeys(node).admin, client: 'frag' } }));
  raw.write(h.frame({ fin: false, opcode: 0x1, payload: request.subarray(0, 10) }));
  raw.write(h.frame({ fin: false, opcode: 0x0, payload: request.subarray(10, 20) }));
  raw.write(h.frame({ opcode: 0x9, payload: Buffer.from('are you there') }));
  raw.write(h.frame({ opcode: 0x0, payload: request.subarray(20) }));
  const pong = await raw.waitFrame((f) => f.opcode === 0xa);
  assert.equal(pong.payload.toString(), 'are you there');
  const reply = await raw.waitFor((m) => m.json?.id === 4, { what: 'the reply to the fragmented hello' });
  assert.equal(reply.json.result.role, 'admin');
  // Requests keep working on that connection, fragmented or not.
  raw.write(textOf({ id: 5, method: 'subscribe', params: { stream: 'traffic' } }));
  assert.equal((await raw.waitFor((m) => m.json?.id === 5)).json.result.stream, 1);
  await assertServing();
});

// ---------------------------------------------------------------------------------------------
// Caps and floods

test('the 65th admin connection is refused with 1013, the 64 keep working, and dropped ones free their slots', T, async () => {
  const capped = await startNode({ node_name: 'capped' }, 'capped');
  // 80 at once: 64 are served, the rest refused with 1013 ("try again later").
  const outcomes = await Promise.all(Array.from({ length: 80 }, () => trySession(capped)));
  const sessions = outcomes.filter((o) => typeof o === 'object');
  assert.equal(sessions.length, 64);
  assert.deepEqual(outcomes.filter((o) => typeof o !== 'object'), Array(16).fill(1013));
  assert.equal(await trySession(capped), 1013);
  // A refused socket that never answers the close frame is not kept by the node.
  const mute = await rawAdmin(capped);
  const refusal = await closeFrame(mute);
  assert.deepEqual(refusal, { code: 1013, reason: 'too many admin connections' });
  await h.withTimeout(mute.endedPromise, SLOW_WAIT_MS, 'the node dropping a refused connection that never answers its close');

  // The 64 still work.
  const streams = await Promise.all(sessions.map((s) => s.ok('subscribe', { stream: 'topology' })));
  assert.ok(streams.every((r) => r.stream === 1));
  assert.ok((await sessions[63].ok('issue_token', { app: capped.app.id, kind: 'connection', subject: 'x' })).token);

  // 40 of them go away abruptly, in different states, plus half-made connections.
  const abrupt = sessions.splice(0, 40);
  for (const [i, session] of abrupt.entries()) {
    if (i % 4 === 1) await session.ok('subscribe', { stream: 'tail', app: capped.app.id, channel: 'gone' });
    if (i % 4 === 2) session.ws._socket.write(h.frame({ payload: Buffer.alloc(1000) }).subarray(0, 20)); // half a frame
    if (i % 4 === 3) await session.ok('subscribe', { stream: 'connections' });
    session.ws._socket.destroy();
  }
  for (let i = 0; i < 5; ++i) (await tlsConnect(capped)).destroy();
  // Whoever is freed, 40 new consoles fit again (the node notices the drops on its own).
  const replacements = [];
  for (let tries = 0; replacements.length < 40 && tries < 400; ++tries) {
    const session = await trySession(capped);
    if (typeof session === 'object') replacements.push(session);
    else {
      assert.equal(session, 1013);
      await h.sleep(50);
    }
  }
  assert.equal(replacements.length, 40, 'the slots of dropped connections are freed');
  assert.equal(await trySession(capped), 1013);
  // A publication on the tail channel of a dropped console harms no one.
  await h.triggerOk(capped, 'gone', 'after', 'x');
  await Promise.all([...sessions, ...replacements].map((s) => s.ok('subscribe', { stream: 'traffic' })));
  await Promise.all([...sessions, ...replacements].map((s) => s.close()));
  await assertServing(capped);
  await capped.stop();
  await assertServing();
});

test('a flood of requests on one connection is answered in full while a Pusher client keeps being served', T, async () => {
  const admin = await adminConnect(node, 'flood');
  const before = await Promise.all(Array.from({ length: 300 }, () => admin.call('subscribe', { stream: 'topology' })));
  assert.deepEqual([...new Set(before.map((r) => r.error?.code))], ['unauthenticated']);
  admin.hello = await admin.ok('hello', { protocol: 1, key: adminKeys(node).admin });

  const channel = h.uniq('flood-');
  const client = await h.open(node);
  await h.subOk(client, channel);
  const kinds = [
    ['format_disk', {}, 'unknown_method'],
    ['subscribe', { stream: 'weather' }, 'bad_request'],
    ['unsubscribe', { stream: 424242 }, 'not_found'],
    ['kick', { connection: '999999999' }, 'not_found'],
    ['issue_token', { app: '999', kind: 'connection' }, 'not_found'],
    ['subscribe', { stream: 'channels', limit: 5000 }, 'bad_request'],
  ];
  const calls = [];
  for (let i = 0; i < 3000; ++i) {
    const [method, params, code] = kinds[i % kinds.length];
    calls.push(admin.call(method, params).then((reply) => [reply.error?.code, code]));
  }
  const nullIds = admin.replies.filter((r) => r.id === null).length;
  for (let i = 0; i < 200; ++i) admin.ws.send('{"id": oops');
  const published = (async () => {
    for (let i = 0; i < 50; ++i) await h.triggerOk(node, channel, 'during-flood', String(i));
  })();
  const outcomes = await Promise.all(calls);
  assert.deepEqual(outcomes.filter(([got, want]) => got !== want), []);
  await admin.waitUntil(() => admin.replies.filter((r) => r.id === null).length === nullIds + 200, '200 bad_request replies with a null id');
  await published;
  await client.waitUntil((c) => c.events('during-flood', channel).length === 50, { what: 'the 50 publications', timeout: WAIT_MS });
  assert.deepEqual(client.events('during-flood', channel).map((m) => m.data), Array.from({ length: 50 }, (_, i) => i));
  // The flooded connection itself still works.
  assert.equal(admin.closeInfo, undefined);
  const { snapshot } = await admin.subscribe({ stream: 'topology' });
  assert.equal(snapshot.nodes.length, 1);
  await assertServing();
});

test('at most 16 streams per connection; failed subscriptions take no slot; a freed slot is usable', T, async () => {
  const admin = await adminSession(node);
  const channel = h.uniq('slots-');
  const app = node.app.id;
  for (const params of [{ stream: 'weather' }, { stream: 'channels', limit: 5000 }, { stream: 'tail', app: '999', channel }]) {
    assert.ok((await admin.call('subscribe', params)).error, JSON.stringify(params));
  }
  const kinds = [{ stream: 'topology' }, { stream: 'traffic' }, { stream: 'channels' }, { stream: 'connections' }];
  const opened = [];
  for (let i = 0; i < 15; ++i) opened.push((await admin.subscribe(kinds[i % kinds.length])).stream);
  const firstTail = (await admin.subscribe({ stream: 'tail', app, channel })).stream;
  opened.push(firstTail);
  assert.equal(new Set(opened).size, 16);
  for (const params of [{ stream: 'topology' }, { stream: 'tail', app, channel }, { stream: 'channels', filter: 'x' }]) {
    assert.equal((await admin.call('subscribe', params)).error.code, 'too_many_streams');
  }
  // Another connection has its own 16.
  const other = await adminSession(node);
  await other.subscribe({ stream: 'topology' });

  assert.deepEqual(await admin.ok('unsubscribe', { stream: opened[0] }), {});
  assert.equal((await admin.call('unsubscribe', { stream: opened[0] })).error.code, 'not_found');
  const secondTail = (await admin.subscribe({ stream: 'tail', app, channel })).stream;
  assert.ok(!opened.includes(secondTail), 'a new stream number');
  assert.equal((await admin.call('subscribe', { stream: 'traffic' })).error.code, 'too_many_streams');

  // An unsubscribed tail stops; the other one keeps going.
  assert.deepEqual(await admin.ok('unsubscribe', { stream: firstTail }), {});
  await h.triggerOk(node, channel, 'after-unsubscribe', 'x');
  await admin.waitEvent(secondTail, (e) => e.event === 'delta' && e.data.event === 'after-unsubscribe', 'the publication on the open tail');
  assert.equal((admin.events.get(firstTail) ?? []).filter((e) => e.data.event === 'after-unsubscribe').length, 0);
  await assertServing();
});

// ---------------------------------------------------------------------------------------------
// Ids and params

test('request ids: only positive integers up to 2^53-1 are carried back, anything else gets id null', T, async () => {
  const admin = await adminSession(node);
  const send = async (text) => {
    const count = admin.replies.length;
    admin.ws.send(text);
    await admin.waitUntil(() => admin.replies.length > count, `a reply to ${text}`);
    return admin.replies.at(-1);
  };
  const carried = [
    ['{"id":1,"method":"nope"}', 1],
    ['{"id":9007199254740991,"method":"nope"}', 9007199254740991],
    ['{"id":1e3,"method":"nope"}', 1000],
    ['{"id":1.0,"method":"nope"}', 1],
  ];
  for (const [text, id] of carried) {
    const reply = await send(text);
    assert.deepEqual([reply.id, reply.error.code], [id, 'unknown_method'], text);
  }
  const refused = ['0', '-1', '-0', '9007199254740992', '18446744073709551616', '1.5', '"7"', 'null', 'true', '[1]', '{}', '1e-3'];
  for (const id of refused) {
    const reply = await send(`{"id":${id},"method":"subscribe","params":{"stream":"topology"}}`);
    assert.deepEqual([reply.id, reply.error.code], [null, 'bad_request'], `id ${id}`);
  }
  for (const text of ['{"method":"subscribe"}', '[]', '"hello"', '42', 'null', '', '{"id":1e400}', '{"id":5} trailing', '\u0000']) {
    const reply = await send(text);
    assert.deepEqual([reply.id, reply.error.code], [null, 'bad_request'], JSON.stringify(text));
  }
  // An id that could be read is carried back with the error about the rest.
  for (const text of ['{"id":6}', '{"id":6,"method":5}', '{"id":6,"method":"subscribe","params":[]}', '{"id":6,"method":"subscribe","params":"x"}', '{"id":6,"method":"subscribe","params":null}']) {
    const reply = await send(text);
    assert.deepEqual([reply.id, reply.error.code], [6, 'bad_request'], text);
  }
  assert.equal(admin.closeInfo, undefined);
  await assertServing();
});

test('wrongly typed or out-of-range params are bad_request for every method and stream, and the connection survives', T, async () => {
  const admin = await adminSession(node);
  const app = node.app.id;
  const cases = [];
  for (const stream of ['channels', 'connections']) {
    for (const params of [
      { app: 101 }, { app: ['101'] }, { app: 'a'.repeat(201) }, { filter: 5 }, { filter: { x: 1 } }, { filter: 'x'.repeat(201) },
      { sort: 5 }, { sort: 'bogus' }, { offset: -1 }, { offset: 1.5 }, { offset: '3' }, { offset: 1e12 }, { offset: true },
      { limit: -1 }, { limit: 1001 }, { limit: 2.5 }, { limit: '10' }, { limit: [] },
    ]) cases.push(['subscribe', { stream, ...params }]);
  }
  cases.push(['subscribe', { stream: 'connections', sort: 'rate' }]);
  for (const params of [{}, { stream: 5 }, { stream: null }, { stream: ['topology'] }, { stream: 'TOPOLOGY' }, { stream: 'topology ' }]) cases.push(['subscribe', params]);
  for (const params of [{ stream: 'tail' }, { stream: 'tail', app }, { stream: 'tail', app, channel: 5 }, { stream: 'tail', app, channel: '' }, { stream: 'tail', app, channel: 'x'.repeat(1025) }]) cases.push(['subscribe', params]);
  for (const params of [undefined, {}, { connection: 5 }, { connection: '' }, { connection: null }, { connection: 'x'.repeat(1025) }]) cases.push(['kick', params]);
  for (const params of [
    undefined, { app: 101, kind: 'connection' }, { app, kind: 5 }, { app, kind: 'refresh' }, { app, kind: 'connection', subject: 5 },
    { app, kind: 'connection', subject: 'x'.repeat(1025) }, { app, kind: 'connection', expires_in: 0 }, { app, kind: 'connection', expires_in: -5 },
    { app, kind: 'connection', expires_in: 1e12 }, { app, kind: 'connection', expires_in: '60' }, { app, kind: 'connection', expires_in: null },
    { app, kind: 'connection', expires_in: 60.5 }, { app, kind: 'connection', info: 'x' }, { app, kind: 'connection', info: [] },
    { app, kind: 'subscription' }, { app, kind: 'subscription', channel: 5 },
  ]) cases.push(['issue_token', params]);
  for (const params of [{ ttl: '60' }, { ttl: 59 }, { ttl: 1e12 }, { ttl: 3600.5 }, { ttl: null }, { seeds: [] }, { seeds: 'a:1' }, { seeds: [5] }, { seeds: [null] }, { seeds: ['h:0'] }, { seeds: ['h:99999'] }, { seeds: ['h:1', 'x'] }]) cases.push(['create_join_token', params]);
  for (const params of [undefined, { app }, { app, user: 5 }, { app, user: '' }, { app: 101, user: 'u' }, { app, user: 'u'.repeat(1025) }]) cases.push(['terminate_user', params]);
  for (const params of [
    undefined, { app: 101, channel: 'c', event: 'e', data: 'd' }, { app, channel: 5, event: 'e', data: 'd' }, { app, channel: '', event: 'e', data: 'd' },
    { app, channel: 'c', event: 5, data: 'd' }, { app, channel: 'c', event: '', data: 'd' }, { app, channel: 'c', event: 'e' },
    { app, channel: 'c', event: 'e', data: 5 }, { app, channel: 'c', event: 'e', data: { a: 1 } }, { app, channel: 'c', event: 'e', data: null },
  ]) cases.push(['publish', params]);

  const wrong = [];
  for (const [method, params] of cases) {
    const reply = await admin.call(method, params);
    if (reply.error?.code !== 'bad_request') wrong.push(`${method} ${JSON.stringify(params)} -> ${JSON.stringify(reply.error ?? reply.result).slice(0, 120)}`);
  }
  assert.deepEqual(wrong, []);
  // Unknown apps are not_found where a command names one.
  for (const method of ['issue_token', 'terminate_user', 'publish']) {
    const reply = await admin.call(method, { app: '999', kind: 'connection', user: 'u', channel: 'c', event: 'e', data: 'd' });
    assert.equal(reply.error.code, 'not_found', method);
  }
  assert.equal((await admin.call('subscribe', { stream: 'tail', app: '999', channel: 'c' })).error.code, 'not_found');
  assert.equal(admin.closeInfo, undefined);
  await assertServing();
});

// Error codes: bad_request is "a missing or wrongly typed field"; not_found is for a stream
// number that names no open stream.
test('unsubscribe with a missing or wrongly typed "stream" is bad_request, not not_found', T, async () => {
  const admin = await adminSession(node);
  const { stream } = await admin.subscribe({ stream: 'topology' });
  const outcomes = [];
  for (const params of [undefined, {}, { stream: String(stream) }, { stream: null }, { stream: [stream] }, { stream: 1.5 }]) {
    outcomes.push([JSON.stringify(params), (await admin.call('unsubscribe', params)).error?.code]);
  }
  assert.deepEqual(outcomes, outcomes.map(([params]) => [params, 'bad_request']));
  // An integer that names no open stream is not_found.
  assert.equal((await admin.call('unsubscribe', { stream: stream + 100 })).error.code, 'not_found');
  assert.deepEqual(await admin.ok('unsubscribe', { stream }), {});
  await assertServing();
});

// Same rule for the tail's "app": a number or no app at all is not an app id that does not exist.
test('a tail with a missing or wrongly typed "app" is bad_request, not not_found', T, async () => {
  const admin = await adminSession(node);
  const outcomes = [];
  for (const app of [undefined, 101, null, ['101'], { id: '101' }]) {
    const params = { stream: 'tail', channel: 'c' };
    if (app !== undefined) params.app = app;
    outcomes.push([JSON.stringify(params), (await admin.call('subscribe', params)).error?.code]);
  }
  assert.deepEqual(outcomes, outcomes.map(([params]) => [params, 'bad_request']));
  await assertServing();
});

// Error codes: not_found is "the app, connection, stream or channel named does not exist" (as
// the tail stream already answers for an unknown app).
test('the channels and connections streams naming an app that does not exist are not_found', T, async () => {
  const admin = await adminSession(node);
  const outcomes = [];
  for (const stream of ['channels', 'connections']) {
    const reply = await admin.call('subscribe', { stream, app: '999' });
    outcomes.push([stream, reply.error?.code ?? `result ${JSON.stringify(reply.result)}`]);
  }
  assert.deepEqual(outcomes, [['channels', 'not_found'], ['connections', 'not_found']]);
  await assertServing();
});

test('filters with unicode and odd characters, offsets past the end and limit 0 page correctly', T, async () => {
  const admin = await adminSession(node);
  const prefix = h.uniq('page-');
  const client = await h.open(node);
  for (const suffix of ['a', 'b', 'c']) await h.subOk(client, `${prefix}-${suffix}`);
  const names = (snapshot) => snapshot.channels.map((c) => c.name);
  const page = async (params) => (await admin.subscribe({ stream: 'channels', filter: prefix, sort: 'name', ...params })).snapshot;

  assert.deepEqual(names(await page({})), [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
  const second = await page({ offset: 1, limit: 1 });
  assert.deepEqual([names(second), second.total], [[`${prefix}-b`], 3]);
  for (const params of [{ offset: 3 }, { offset: 999_999_999 }, { limit: 0 }, { offset: 2, limit: 0 }]) {
    const snapshot = await page(params);
    assert.deepEqual([names(snapshot), snapshot.total], [[], 3], JSON.stringify(params));
  }
  for (const filter of ['ü🎉', '\u0000', '.*', `${prefix}%`, '\ud800', '"\n']) {
    const { snapshot } = await admin.subscribe({ stream: 'channels', filter });
    assert.deepEqual([snapshot.channels, snapshot.total], [[], 0], JSON.stringify(filter));
  }
  for (const filter of ['ü🎉', '\u0000', '::ffff']) {
    const { snapshot } = await admin.subscribe({ stream: 'connections', filter });
    assert.deepEqual([snapshot.connections, snapshot.total], [[], 0], JSON.stringify(filter));
  }
  assert.equal(admin.closeInfo, undefined);
  await assertServing();
});

test('huge and deeply nested JSON is refused or handled without harm', T, async () => {
  const admin = await adminSession(node);
  const count = admin.replies.filter((r) => r.id === null).length;
  admin.ws.send('['.repeat(60_000));
  admin.ws.send(`{"id":3,"method":"subscribe","params":{"stream":"topology","x":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`);
  admin.ws.send(`{"id":4,"method":"subscribe","params":${'{"a":'.repeat(8_000)}1${'}'.repeat(8_000)}}`);
  await admin.waitUntil(() => admin.replies.filter((r) => r.id === null).length === count + 3, 'three bad_request replies');
  assert.deepEqual([...new Set(admin.replies.slice(-3).map((r) => r.error.code))], ['bad_request']);

  // 3000 unknown params are ignored.
  const wide = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
  assert.equal((await admin.ok('subscribe', { stream: 'topology', ...wide })).stream >= 1, true);
  // An info object with awkward strings is signed as given; one too big to sign is `failed`.
  const info = { name: 'ü🎉', nested: Array.from({ length: 40 }, (_, i) => ({ i, s: '\u0000\n"\u2028' })) };
  const issued = await admin.ok('issue_token', { app: node.app.id, kind: 'connection', subject: 'odd', info });
  const payload = JSON.parse(Buffer.from(issued.token.split('.')[1], 'base64url').toString('utf8'));
  assert.deepEqual(payload.info, info);
  const huge = await admin.call('issue_token', { app: node.app.id, kind: 'connection', subject: 'big', info: { blob: 'ü'.repeat(20_000) } });
  assert.equal(huge.error?.code, 'failed', JSON.stringify(huge).slice(0, 200));
  assert.equal(admin.closeInfo, undefined);
  await assertServing();
});

// ---------------------------------------------------------------------------------------------
// The read-only role and the audit log

test('a read-only key is refused every command, each refusal is audited, and nothing is carried out', T, async () => {
  const channel = h.uniq('ro-');
  const victim = await h.open(node);
  await h.subOk(victim, channel);
  await h.signinOk(victim, { id: 'ro-victim' });
  const admin = await adminSession(node);
  const { stream, snapshot } = await admin.subscribe({ stream: 'connections' });
  const rows = new Collection(admin, stream, 'connections', snapshot);
  const victimRow = await rows.until((c) => [...c.items.values()].find((r) => r.user === 'ro-victim'), 'the victim in the connections stream');

  const readOnly = await adminSession(node, { keyName: 'read-only' });
  const before = auditLines().length;
  const attempts = [
    ['issue_token', { app: node.app.id, kind: 'connection', subject: 'root' }],
    ['issue_token', { app: node.app.id, kind: 'subscription', subject: 'root', channel: 'private-x' }],
    ['create_join_token', { ttl: 600 }],
    ['create_join_token', undefined],
    ['kick', { connection: victimRow.id }],
    ['terminate_user', { app: node.app.id, user: 'ro-victim' }],
    ['publish', { app: node.app.id, channel, event: 'pwned', data: 'from read-only' }],
    ['publish', {}],
    ['drain', undefined],
    ['drain', { now: true }],
  ];
  for (const [method, params] of attempts) {
    const reply = await readOnly.call(method, params);
    assert.equal(reply.error?.code, 'forbidden', `${method}: ${JSON.stringify(reply)}`);
  }
  // Spellings of commands are not commands.
  for (const method of ['DRAIN', 'drain ', 'Publish', 'kick\u0000']) {
    assert.equal((await readOnly.call(method, {})).error.code, 'unknown_method', JSON.stringify(method));
  }
  // Streams stay open to the role, tails included.
  const tail = await readOnly.subscribe({ stream: 'tail', app: node.app.id, channel });
  await readOnly.subscribe({ stream: 'connections' });

  const audit = auditLines().slice(before);
  assert.deepEqual(audit.map((e) => e.method), attempts.map(([method]) => method));
  for (const entry of audit) {
    assert.deepEqual([entry.key_name, entry.role, entry.address, entry.outcome], ['read-only', 'read-only', '127.0.0.1', 'forbidden'], JSON.stringify(entry));
    assert.ok(!Number.isNaN(Date.parse(entry.time)), entry.time);
  }
  assert.equal(audit[6].params.data, '(14 bytes)');
  assert.equal(audit[6].params.channel, channel);
  // Whatever app-management commands this build has are no more open to the role.
  for (const method of ['list_apps', 'create_app', 'rotate_app', 'set_app_enabled']) {
    const reply = await readOnly.call(method, { app: node.app.id, enabled: false });
    assert.ok(['forbidden', 'unknown_method'].includes(reply.error?.code), `${method}: ${JSON.stringify(reply)}`);
  }

  // Nothing happened: the victim is still connected and got no 'pwned'; the node did not drain.
  await h.sleep(1_000); // past the drain's 500 ms grace, had it been carried out
  await drainWithMarker(node, victim, channel);
  assert.equal(victim.closeInfo, undefined);
  assert.deepEqual(victim.events('pwned', channel), []);
  assert.equal((await readOnly.waitEvent(tail.stream, (e) => e.data.event === 'marker', 'the marker on the read-only tail')).data.origin, 'api');
  await assertServing();
});

test('the audit log stays one JSON object per line whatever the params hold', T, async () => {
  const readOnly = await adminSession(node, { keyName: 'read-only' });
  const before = auditLines().length;
  const evilChannel = 'a\nb"}\n{"outcome":"ok"}\r\u2028';
  await readOnly.call('publish', { app: node.app.id, channel: evilChannel, event: '\u0000', data: 'x' });
  await readOnly.call('kick', { connection: '\n\n' });
  await readOnly.call('issue_token', { app: node.app.id, kind: 'connection', info: { '\n': '"' } });
  const evilClient = 'evil\n{"outcome":"ok","role":"admin"}';
  const { reply } = await helloFrom(node, '127.0.0.6', 'dna_wrong');
  assert.equal(reply.error.code, 'unauthorized');
  const failed = await boundAdmin(node, '127.0.0.6');
  assert.equal((await failed.call('hello', { protocol: 1, key: 'dna_wrong', client: evilClient })).error.code, 'unauthorized');

  const lines = fs.readFileSync(path.join(node.dataDir, 'audit.log'), 'utf8').trim().split('\n').slice(before);
  assert.equal(lines.length, 5, lines.join('\n'));
  const entries = lines.map((line) => JSON.parse(line));
  assert.deepEqual(entries.map((e) => [e.method, e.outcome]), [
    ['publish', 'forbidden'], ['kick', 'forbidden'], ['issue_token', 'forbidden'], ['hello', 'unauthorized'], ['hello', 'unauthorized'],
  ]);
  assert.equal(entries[0].params.channel, evilChannel);
  assert.deepEqual(entries[2].params.info, { '\n': '"' });
  assert.deepEqual([entries[4].address, entries[4].params.client, entries[4].role], ['127.0.0.6', evilClient, '']);
  await assertServing();
});

// The audit log keeps the size of published data instead of the data; the size must be in
// bytes, as it says, not in UTF-16 code units.
test('the audit log gives the size of published data in bytes', T, async () => {
  const admin = await adminSession(node);
  const data = 'é'.repeat(10) + '🎉'; // 20 + 4 bytes of UTF-8, 12 UTF-16 code units
  await admin.ok('publish', { app: node.app.id, channel: h.uniq('bytes-'), event: 'e', data });
  assert.equal(auditLines().at(-1).params.data, `(${Buffer.byteLength(data)} bytes)`);
  await assertServing();
});

// ---------------------------------------------------------------------------------------------
// Login limits (each test from its own loopback source address)

test('five failed logins lock an address out, right key included; other addresses are not affected', T, async () => {
  const address = '127.0.0.3';
  const keys = adminKeys(node);
  const before = auditLines().length;
  // Near misses of the real key count as wrong keys.
  for (const key of ['dna_wrong', '', keys.admin.slice(0, -1), `${keys.admin} `, 'k'.repeat(60_000)]) {
    const { reply, client } = await helloFrom(node, address, key);
    assert.equal(reply.error?.code, 'unauthorized', `key of ${key.length} chars: ${JSON.stringify(reply)}`);
    assert.equal(client.closeInfo.code, 4001);
  }
  for (const key of [keys.admin, keys['read-only'], 'dna_wrong']) {
    const { reply } = await helloFrom(node, address, key);
    assert.equal(reply.error?.code, 'rate_limited', JSON.stringify(reply));
    assert.ok(reply.error.retry_after_ms > 0 && reply.error.retry_after_ms <= 60_000, JSON.stringify(reply));
  }
  // Other loopback addresses and 127.0.0.1 are served.
  const elsewhere = await boundAdmin(node, '127.0.0.4');
  assert.equal((await elsewhere.call('hello', { protocol: 1, key: keys['read-only'] })).result.role, 'read-only');
  const audit = auditLines().slice(before).filter((e) => e.address === address);
  assert.deepEqual(audit.map((e) => [e.method, e.outcome]), Array(5).fill(['hello', 'unauthorized']));
  await assertServing();
});

// "after 5 failures within 60 seconds, hello from that address is answered with rate_limited
// ... until the minute has passed": a holder of the read-only key must not be able to wipe the
// count with its own key and so guess the admin key without limit.
test('a read-only login does not reset the failed-login count (no unlimited guessing of the admin key)', T, async () => {
  const address = '127.0.0.5';
  const keys = adminKeys(node);
  const outcomes = [];
  for (let i = 0; i < 4; ++i) outcomes.push((await helloFrom(node, address, `dna_guess-${i}`)).reply.error?.code);
  const readOnly = await helloFrom(node, address, keys['read-only']);
  assert.equal(readOnly.reply.result.role, 'read-only');
  outcomes.push((await helloFrom(node, address, 'dna_guess-4')).reply.error?.code);
  assert.deepEqual(outcomes, Array(5).fill('unauthorized'));
  // Five failures from the address within the minute: the next hello is rate_limited.
  const next = await helloFrom(node, address, keys.admin);
  assert.equal(next.reply.error?.code, 'rate_limited', `after 5 failed logins the admin key was accepted: ${JSON.stringify(next.reply)}`);
  await assertServing();
});

test('hello: repeated, unversioned or wrongly typed hellos are answered and do not count as failed logins', T, async () => {
  const address = '127.0.0.7';
  const keys = adminKeys(node);
  const client = await boundAdmin(node, address);
  assert.equal((await client.call('subscribe', { stream: 'topology' })).error.code, 'unauthenticated');
  for (const protocol of [2, 0, -1, 1.5, null]) {
    assert.equal((await client.call('hello', { protocol, key: keys.admin })).error.code, 'unsupported_protocol', String(protocol));
  }
  for (const params of [undefined, {}, { protocol: '1', key: keys.admin }]) {
    const code = (await client.call('hello', params)).error?.code;
    assert.ok(['unsupported_protocol', 'bad_request'].includes(code), `${JSON.stringify(params)} -> ${code}`);
  }
  assert.equal(client.closeInfo, undefined);
  assert.equal((await client.call('hello', { protocol: 1, key: keys.admin })).result.role, 'admin');
  // A second hello, right key or wrong, is a bad_request on an open connection, not a login.
  for (const key of [keys.admin, 'dna_wrong', keys['read-only']]) {
    assert.equal((await client.call('hello', { protocol: 1, key })).error.code, 'bad_request');
  }
  assert.equal((await client.call('subscribe', { stream: 'traffic' })).result.stream, 1);
  assert.deepEqual(auditLines().filter((e) => e.address === address), []);
  assert.equal(client.closeInfo, undefined);
  await assertServing();
});

// ---------------------------------------------------------------------------------------------
// A console that stops reading

// Subscribes `count` tails of `channel` on a new console and stops reading its socket.
async function stalledConsole(n, channel, count = 16) {
  const admin = await adminSession(n);
  for (let i = 0; i < count; ++i) await admin.subscribe({ stream: 'tail', app: n.app.id, channel });
  admin.ws._socket.pause();
  track(() => admin.ws.terminate());
  return admin;
}

test('a console that stops reading its tails does not stop the node serving Pusher clients and other consoles', T, async () => {
  const channel = h.uniq('busy-');
  const client = await h.open(node);
  await h.subOk(client, channel);
  await stalledConsole(node, channel);
  const watcher = await adminSession(node);
  const { stream } = await watcher.subscribe({ stream: 'tail', app: node.app.id, channel });

  const total = 300;
  const data = 'y'.repeat(2_000);
  for (let i = 0; i < total; ++i) await h.triggerOk(node, channel, 'tick', `${i}:${data}`);
  await client.waitUntil((c) => c.events('tick', channel).length === total, { what: `the ${total} publications`, timeout: WAIT_MS });
  assert.deepEqual(client.events('tick', channel).map((m) => Number(m.rawData.split(':')[0])), Array.from({ length: total }, (_, i) => i));

  // The watching console accounts for every publication: shown, or counted as dropped.
  const accounted = () => {
    const deltas = (watcher.events.get(stream) ?? []).filter((e) => e.event === 'delta');
    return deltas.filter((e) => e.data.event === 'tick').length + deltas.reduce((sum, e) => sum + (e.data.dropped ?? 0), 0);
  };
  await watcher.waitUntil(() => accounted() === total, `all ${total} publications on the watching console's tail`);
  assert.ok(accounted() === total);
  const fresh = await adminSession(node);
  await fresh.subscribe({ stream: 'traffic' });
  await assertServing();
});

// A console that stops reading must not make the node keep without bound what it cannot send:
// like client connections, an admin connection is cut at 4 MiB of unsent output (code 4010).
test('the node bounds what it keeps for a console that stops reading', T, async () => {
  const channel = h.uniq('backlog-');
  const client = await h.open(node);
  await h.subOk(client, channel);
  const stalled = [await stalledConsole(node, channel), await stalledConsole(node, channel)];
  const rssBefore = rssBytes(node.pid);

  // 300 publications of 10 KB at under 100 a second, so that no tail drops any: 32 tails x
  // 300 x 10 KB = about 96 MB the stalled consoles cannot take.
  const total = 300;
  const data = 'z'.repeat(10_000);
  const start = Date.now();
  for (let i = 0; i < total; ++i) {
    await h.triggerOk(node, channel, 'tick', `${i}:${data}`);
    const due = start + (i + 1) * 12;
    if (Date.now() < due) await h.sleep(due - Date.now());
  }
  await client.waitUntil((c) => c.events('tick', channel).length === total, { what: `the ${total} publications`, timeout: WAIT_MS });
  await h.sleep(500);
  const grownMiB = (rssBytes(node.pid) - rssBefore) / (1024 * 1024);
  const closed = stalled.map((a) => a.closeInfo?.code);
  // Client connections are cut past 4 MiB of unsent output (node/transport/clientlimits.h);
  // two stalled consoles must not cost the node anything like the 96 MB they were sent.
  assert.ok(grownMiB < 48, `the node's RSS grew by ${grownMiB.toFixed(0)} MiB for two stalled consoles (closed: ${JSON.stringify(closed)})`);
  await assertServing();
});

// ---------------------------------------------------------------------------------------------
// Commands with hostile arguments

test('kick: ids that do not exist are not_found; a connection of another app is kicked', T, async () => {
  const admin = await adminSession(node);
  const before = auditLines().length;
  const missing = ['0', '1', '256', '-1', '+1', ' 1', '1.0', '0x10', '999999999999', '18446744073709551615', '18446744073709551616', 'abc', 'ü', '\u0000'];
  for (const connection of missing) {
    assert.equal((await admin.call('kick', { connection })).error?.code, 'not_found', JSON.stringify(connection));
  }
  const other = await h.open(node, { app: node.appById(OTHER_APP.id) });
  const bystander = await h.open(node);
  const { stream, snapshot } = await admin.subscribe({ stream: 'connections', app: OTHER_APP.id });
  const rows = new Collection(admin, stream, 'connections', snapshot);
  const row = await rows.until((c) => [...c.items.values()][0], 'the other app\'s connection');
  assert.equal(row.app, OTHER_APP.id);
  // A node that is not in the cluster cannot be reached; a node that is not a string is a bad request.
  assert.equal((await admin.call('kick', { connection: row.id, node: 'ffffffffffffffff' })).error?.code, 'failed');
  assert.equal((await admin.call('kick', { connection: row.id, node: 5 })).error?.code, 'bad_request');
  assert.equal(other.closeInfo, undefined);
  assert.deepEqual(await admin.ok('kick', { connection: row.id, node: row.node }), {});
  assert.equal((await other.waitClose()).code, 4009);
  assert.equal((await admin.call('kick', { connection: row.id })).error.code, 'not_found');
  await bystander.ping();
  const audit = auditLines().slice(before);
  assert.deepEqual(audit.map((e) => e.outcome), [...missing.map(() => 'not_found'), 'failed', 'bad_request', 'ok', 'not_found']);
  await assertServing();
});

// publish is "delivered like an HTTP API publication": the names, event names and sizes the
// HTTP API refuses must be refused (bad_request) rather than delivered.
test('publish refuses channel names the HTTP API refuses', T, async () => {
  const admin = await adminSession(node);
  const outcomes = [];
  for (const channel of ['bad channel!', 'x'.repeat(201), 'ünïcode', '#server-to-user-', 'a\nb', 'semi:colon']) {
    const viaHttp = await h.trigger(node, channel, 'e', 'd');
    assert.equal(viaHttp.status, 400, `the HTTP API refuses ${JSON.stringify(channel)}`);
    const reply = await admin.call('publish', { app: node.app.id, channel, event: 'e', data: 'd' });
    outcomes.push([channel.slice(0, 20), reply.error?.code ?? `accepted: ${JSON.stringify(reply.result)}`]);
  }
  assert.deepEqual(outcomes, outcomes.map(([channel]) => [channel, 'bad_request']));
  await assertServing();
});

test('publish refuses reserved pusher: and pusher_internal: event names; no forged protocol frame reaches clients', T, async () => {
  const admin = await adminSession(node);
  const channel = h.uniq('forge-');
  const victim = await h.open(node);
  await h.subOk(victim, channel);
  const mark = victim.mark();
  const reserved = ['pusher:error', 'pusher_internal:subscription_succeeded', 'pusher_internal:member_removed', 'pusher:signin_success'];
  const outcomes = [];
  for (const event of reserved) {
    assert.equal((await h.trigger(node, channel, event, '{}')).status, 400, `the HTTP API refuses ${event}`);
    const reply = await admin.call('publish', { app: node.app.id, channel, event, data: '{"code":4001,"message":"forged"}' });
    outcomes.push([event, reply.error?.code ?? 'accepted']);
  }
  await drainWithMarker(node, victim, channel);
  const forged = victim.since(mark).filter((m) => reserved.includes(m.event)).map((m) => m.raw);
  assert.deepEqual({ outcomes, forged }, { outcomes: reserved.map((e) => [e, 'bad_request']), forged: [] });
  assert.equal(victim.closeInfo, undefined);
  await assertServing();
});

test('publish refuses data over the app\'s payload limit, as the HTTP API does', T, async () => {
  const admin = await adminSession(node);
  const channel = h.uniq('size-');
  const victim = await h.open(node);
  await h.subOk(victim, channel);
  // 10240 bytes (the default max_event_payload_bytes) is delivered both ways.
  const atLimit = 'a'.repeat(10_240);
  await admin.ok('publish', { app: node.app.id, channel, event: 'at-limit', data: atLimit });
  assert.equal((await victim.waitEvent('at-limit', channel)).rawData.length, 10_240);

  const over = 'b'.repeat(20_000);
  assert.equal((await h.trigger(node, channel, 'over-limit', over)).status, 413);
  const reply = await admin.call('publish', { app: node.app.id, channel, event: 'over-limit', data: over });
  await drainWithMarker(node, victim, channel);
  const delivered = victim.events('over-limit', channel).map((m) => m.rawData.length);
  assert.deepEqual({ code: reply.error?.code, delivered }, { code: 'bad_request', delivered: [] });
  await assertServing();
});
