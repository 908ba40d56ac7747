'use strict';

// WebSocket message limits and server-sent close frames: max_message_bytes and close 1009
// (B35), close payloads of at most 125 bytes with a valid UTF-8 reason (B33), the event data
// limit on client events, and binary frames.
//
// Byte-level checks use the raw socket from lib/helpers.js (raw + frame): the close frame the
// server sends is parsed by hand, so an oversize or malformed one is seen as it is on the wire
// instead of being rejected by a client library first.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { useNode, startNode, HOST } = require('./lib/node');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

const T = { timeout: 60_000 };
const WAIT_MS = 10_000; // generous harness wait; never a pass/fail timing

const MAX_MESSAGE = 2048; // max_message_bytes of the default app
const PAYLOAD_APP = Object.freeze({
  id: '102',
  key: 'key-payload',
  secret: 'secret-payload',
  client_events: true,
  max_event_payload_bytes: 500,
});
const QUOTA_APP = Object.freeze({ id: '103', key: 'key-quota', secret: 'secret-quota', max_connections: 1 });
const DISABLED_APP = Object.freeze({ id: '104', key: 'key-disabled', secret: 'secret-disabled', enabled: false });

const node = useNode(
  { app: { max_message_bytes: MAX_MESSAGE, client_events: true }, apps: [PAYLOAD_APP, QUOTA_APP, DISABLED_APP] },
  'limits',
);

const utf8 = new TextDecoder('utf-8', { fatal: true });
const Q = h.CLIENT_QUERY;

// ---------------------------------------------------------------------------------------------
// Helpers

// The text of a client event whose whole frame payload is exactly `bytes` UTF-8 bytes.
function clientEventOfBytes(channel, event, bytes) {
  const empty = JSON.stringify({ event, channel, data: '' });
  const text = JSON.stringify({ event, channel, data: 'x'.repeat(bytes - empty.length) });
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

// Waits for the server's close frame on a RawSocket and checks it against RFC 6455: unmasked,
// FIN set, payload 0 or 2..125 bytes, reason valid UTF-8. Returns {code, reason, length}.
async function serverClose(rawSocket, what) {
  const closeFrame = await rawSocket.waitFrame((f) => f.opcode === 0x8, {
    timeout: WAIT_MS,
    what: `the close frame (${what})`,
  });
  assert.equal(closeFrame.masked, false, `${what}: server frames are never masked`);
  assert.equal(closeFrame.fin, true, `${what}: a control frame is never fragmented`);
  const payload = closeFrame.payload;
  assert.ok(payload.length <= 125, `${what}: close payload is ${payload.length} bytes, more than 125`);
  assert.notEqual(payload.length, 1, `${what}: a close payload of 1 byte is invalid`);
  assert.ok(payload.length >= 2, `${what}: the close frame carries a code`);
  const code = payload.readUInt16BE(0);
  let reason;
  assert.doesNotThrow(() => {
    reason = utf8.decode(payload.subarray(2));
  }, `${what}: the close reason is not valid UTF-8: ${payload.subarray(2).toString('hex')}`);
  return { code, reason, length: payload.length };
}

// Answers the server's close (completing the handshake) and waits for the server to end TCP.
async function finishClose(rawSocket, code) {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  rawSocket.write(h.frame({ opcode: 0x8, payload }));
  await h.withTimeout(rawSocket.endedPromise, WAIT_MS, 'the server ending TCP after the close handshake');
}

// A raw socket past connection_established, with its socket id.
async function rawOpen(options = {}) {
  const rawSocket = await h.raw(node, options);
  assert.equal(rawSocket.status, 101, rawSocket.statusLine);
  const established = await rawSocket.waitFor((m) => m.event === 'pusher:connection_established', { timeout: WAIT_MS });
  rawSocket.socketId = established.data.socket_id;
  return rawSocket;
}

// Subscribes a raw socket to a private channel of the default app.
async function rawSubPrivate(rawSocket, channel, app = node.app) {
  const auth = h.chanAuth(rawSocket.socketId, channel, undefined, app);
  rawSocket.write(h.textFrame({ event: 'pusher:subscribe', data: { channel, auth } }));
  const reply = await rawSocket.waitFor((m) => m.channel === channel || m.event === 'pusher:error', {
    timeout: WAIT_MS,
    what: `the answer to subscribing to ${channel}`,
  });
  assert.equal(reply.event, 'pusher_internal:subscription_succeeded', reply.raw);
}

// Asserts that the next event `client` sees on `channel` is the API-triggered marker: whatever
// was refused before it was not delivered (events on one channel arrive in order).
async function assertNothingBeforeMarker(client, channel, mark, refusedEvent, app = node.app) {
  const marker = `marker-${Date.now()}`;
  await h.triggerOk(node, [channel], marker, 'm', { app });
  const isChannelEvent = (m) =>
    m.index >= mark && m.channel === channel && m.event !== 'pusher_internal:subscription_succeeded';
  const next = await client.waitFor(isChannelEvent, { timeout: WAIT_MS, what: `the marker on ${channel}` });
  assert.equal(next.event, marker, `something reached the subscriber before the marker: ${next.raw.slice(0, 200)}`);
  assert.equal(client.since(mark).filter((m) => m.event === refusedEvent).length, 0);
}

// A pusher:error that leaves the connection open: code null, or a 4300–4399 code (protocol
// brief 1.3: the 43xx range is sent as pusher:error, never as a close).
function assertNonFatalError(message, what) {
  assert.equal(message.event, 'pusher:error', `${what}: ${message.raw}`);
  assert.equal(typeof message.data, 'object', `${what}: ${message.raw}`);
  const { code } = message.data;
  assert.ok(code === null || (Number.isInteger(code) && code >= 4300 && code <= 4399), `${what}: code ${code}`);
  assert.equal(typeof message.data.message, 'string', `${what}: ${message.raw}`);
  assert.ok(message.data.message.length > 0, `${what}: the error says why`);
}

// ---------------------------------------------------------------------------------------------
// B35: max_message_bytes

test('B35: a client event whose frame is exactly max_message_bytes is accepted and delivered', T, async () => {
  const channel = h.uniq('private-b35-');
  const sender = await h.open(node);
  const receiver = await h.open(node);
  await h.subOk(sender, channel);
  await h.subOk(receiver, channel);

  const text = clientEventOfBytes(channel, 'client-exact', MAX_MESSAGE);
  sender.sendText(text);
  const event = await receiver.waitEvent('client-exact', channel, { timeout: WAIT_MS });
  assert.equal(event.rawData, JSON.parse(text).data);
  await sender.ping();
  assert.equal(sender.events('pusher:error').length, 0, h.describeMessages(sender.messages));
  assert.equal(sender.closeInfo, undefined);
});

test('B35: a frame of max_message_bytes + 1 closes the sender with 1009; nothing is delivered; others are unaffected', T, async () => {
  const channel = h.uniq('private-b35-');
  const receiver = await h.open(node);
  await h.subOk(receiver, channel);
  const bystanderChannel = h.uniq('bystander-');
  const bystander = await h.open(node);
  await h.subOk(bystander, bystanderChannel);

  const sender = await rawOpen();
  await rawSubPrivate(sender, channel);
  const mark = receiver.mark();
  const over = Buffer.from(clientEventOfBytes(channel, 'client-over', MAX_MESSAGE + 1));
  sender.write(h.frame({ opcode: 0x1, payload: over }));

  const close = await serverClose(sender, 'message over max_message_bytes');
  assert.equal(close.code, 1009, `close ${close.code} "${close.reason}"`);
  assert.ok(close.reason.length > 0, 'the 1009 close carries a reason');
  await finishClose(sender, 1009);

  await assertNothingBeforeMarker(receiver, channel, mark, 'client-over');
  await receiver.ping();
  await bystander.ping();
  await h.triggerOk(node, [bystanderChannel], 'still-fine', 'ok');
  assert.equal((await bystander.waitEvent('still-fine', bystanderChannel)).rawData, 'ok');
  assert.ok(receiver.isOpen && bystander.isOpen);
});

test('B35: the same through the ws client library: close code 1009 for a text message of limit + 1', T, async () => {
  const client = await h.open(node);
  const padding = 'p'.repeat(MAX_MESSAGE + 1 - '{"event":"pusher:ping","data":""}'.length);
  client.sendText(`{"event":"pusher:ping","data":"${padding}"}`);
  const info = await client.waitClose(WAIT_MS);
  assert.equal(info.code, 1009, `close ${info.code} "${info.reason}"`);
});

test('B35: a fragmented message whose total exceeds max_message_bytes closes with 1009 and is not delivered', T, async () => {
  const channel = h.uniq('private-b35-frag-');
  const receiver = await h.open(node);
  await h.subOk(receiver, channel);
  const sender = await rawOpen();
  await rawSubPrivate(sender, channel);
  const mark = receiver.mark();

  // 10 fragments of M/5 bytes each: twice the limit in total, every fragment far below it.
  const whole = Buffer.from(clientEventOfBytes(channel, 'client-frag-over', 10 * Math.ceil(MAX_MESSAGE / 5)));
  const size = whole.length / 10;
  const frames = [];
  for (let i = 0; i < 10; i += 1) {
    const payload = whole.subarray(i * size, (i + 1) * size);
    frames.push(h.frame({ opcode: i === 0 ? 0x1 : 0x0, fin: i === 9, payload }));
  }
  sender.write(Buffer.concat(frames));

  const close = await serverClose(sender, 'fragmented message over the limit');
  assert.equal(close.code, 1009, `close ${close.code} "${close.reason}"`);
  await finishClose(sender, 1009);
  await assertNothingBeforeMarker(receiver, channel, mark, 'client-frag-over');
  await receiver.ping();
});

test('B35: a fragmented message of exactly max_message_bytes in total is accepted and delivered', T, async () => {
  const channel = h.uniq('private-b35-frag-');
  const receiver = await h.open(node);
  await h.subOk(receiver, channel);
  const sender = await rawOpen();
  await rawSubPrivate(sender, channel);

  const whole = Buffer.from(clientEventOfBytes(channel, 'client-frag-exact', MAX_MESSAGE));
  const frames = [];
  for (let i = 0; i < 4; i += 1) {
    const payload = whole.subarray(i * 512, (i + 1) * 512);
    frames.push(h.frame({ opcode: i === 0 ? 0x1 : 0x0, fin: i === 3, payload }));
  }
  sender.write(Buffer.concat(frames));
  const event = await receiver.waitEvent('client-frag-exact', channel, { timeout: WAIT_MS });
  assert.equal(event.rawData, JSON.parse(whole.toString()).data);
  assert.equal(sender.frames.filter((f) => f.opcode === 0x8).length, 0, 'the sender was not closed');
});

test('B35: a frame announcing 100 MB is refused with 1009 without the node waiting for its payload', T, async () => {
  const sender = await rawOpen();
  // A text frame header claiming 100 MB, then only 8 KB of its payload: deciding must not need
  // the rest (the node must not buffer an oversize message before refusing it).
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(100 * 1024 * 1024), 2);
  const mask = Buffer.from([1, 2, 3, 4]);
  mask.copy(header, 10);
  const some = Buffer.alloc(8 * 1024, 0x20);
  for (let i = 0; i < some.length; i += 1) some[i] ^= mask[i % 4];
  sender.write(Buffer.concat([header, some]));

  const close = await serverClose(sender, '100 MB frame header');
  assert.equal(close.code, 1009, `close ${close.code} "${close.reason}"`);
});

// ---------------------------------------------------------------------------------------------
// B33: close frames the server sends

// Refusals whose reason echoes client input (the app key, the path, the protocol value).
const ECHOING_REFUSALS = [
  [4001, 'a 300-character ASCII app key', `/app/${'k'.repeat(300)}?${Q}`],
  [4001, 'a 300-character app key of two-byte characters', `/app/${encodeURIComponent('é'.repeat(300))}?${Q}`],
  [4001, 'a 300-character app key of three-byte characters', `/app/${encodeURIComponent('€'.repeat(300))}?${Q}`],
  [4001, 'a 300-character app key of four-byte characters', `/app/${encodeURIComponent('😀'.repeat(300))}?${Q}`],
  [4005, 'a 300-character unknown ASCII path', `/${'p'.repeat(300)}?${Q}`],
  [4005, 'a 300-character unknown path of three-byte characters', `/${encodeURIComponent('路'.repeat(300))}?${Q}`],
  [4007, 'a 300-digit protocol value', `/app/${node.app.key}?protocol=${'9'.repeat(300)}`],
  [
    4007,
    'a protocol value of three-byte characters',
    `/app/${node.app.key}?protocol=${encodeURIComponent('七'.repeat(300))}`,
  ],
];
for (const [code, what, path] of ECHOING_REFUSALS) {
  test(`B33: close ${code} for ${what}: payload <= 125 bytes, valid UTF-8 reason`, T, async () => {
    const rawSocket = await h.raw(node, { path });
    assert.equal(rawSocket.status, 101, rawSocket.statusLine);
    const close = await serverClose(rawSocket, what);
    assert.equal(close.code, code, `close ${close.code} "${close.reason}"`);
    assert.ok(close.reason.length > 0, 'the close carries a reason');
    await finishClose(rawSocket, code);
  });
}

test('B33: 4003 (disabled app) and 4004 (over quota) close frames are well-formed', T, async () => {
  const disabled = await h.raw(node, { path: `/app/${DISABLED_APP.key}?${Q}` });
  const c4003 = await serverClose(disabled, 'disabled app');
  assert.equal(c4003.code, 4003, `close ${c4003.code} "${c4003.reason}"`);
  await finishClose(disabled, 4003);

  const first = await rawOpen({ path: `/app/${QUOTA_APP.key}?${Q}` });
  const second = await h.raw(node, { path: `/app/${QUOTA_APP.key}?${Q}` });
  const c4004 = await serverClose(second, 'over quota');
  assert.equal(c4004.code, 4004, `close ${c4004.code} "${c4004.reason}"`);
  await finishClose(second, 4004);
  assert.equal(first.frames.filter((f) => f.opcode === 0x8).length, 0, 'the first connection stays open');
});

test('B33: 4009 after terminate_connections: close frame is well-formed', T, async () => {
  const rawSocket = await rawOpen();
  const userData = JSON.stringify({ id: 'u-terminate' });
  const auth = h.userAuth(rawSocket.socketId, userData);
  rawSocket.write(h.textFrame({ event: 'pusher:signin', data: { auth, user_data: userData } }));
  await rawSocket.waitFor((m) => m.event === 'pusher:signin_success', { timeout: WAIT_MS });
  const path = `/apps/${node.app.id}/users/u-terminate/terminate_connections`;
  const response = await h.api(node, 'POST', path, { body: '{}' });
  assert.equal(response.status, 200, response.text);
  const close = await serverClose(rawSocket, 'terminate_connections');
  assert.equal(close.code, 4009, `close ${close.code} "${close.reason}"`);
  await finishClose(rawSocket, 4009);
});

test('B33: 4201 when the client never answers the server ping: close frame is well-formed', { timeout: 60_000 }, async () => {
  const quiet = await startNode({ activity_timeout: 1, pong_timeout: 1 }, 'limits-4201');
  try {
    const rawSocket = await h.raw(quiet);
    assert.equal(rawSocket.status, 101, rawSocket.statusLine);
    await rawSocket.waitFor((m) => m.event === 'pusher:connection_established', { timeout: WAIT_MS });
    await rawSocket.waitFor((m) => m.event === 'pusher:ping', { timeout: WAIT_MS, what: 'the server ping' });
    // Never answered: the node gives up after pong_timeout.
    const close = await serverClose(rawSocket, 'pong not received');
    assert.equal(close.code, 4201, `close ${close.code} "${close.reason}"`);
    await finishClose(rawSocket, 4201);
  } finally {
    await quiet.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// Event data limit on client events (max_event_payload_bytes 500 on PAYLOAD_APP)

test('client event data at max_event_payload_bytes is delivered; one byte more is refused with pusher:error and not delivered', T, async () => {
  const channel = h.uniq('private-payload-');
  const sender = await h.open(node, { app: PAYLOAD_APP });
  const receiver = await h.open(node, { app: PAYLOAD_APP });
  await h.subOk(sender, channel);
  await h.subOk(receiver, channel);
  const LIMIT = PAYLOAD_APP.max_event_payload_bytes;

  // String data, measured in UTF-8 bytes: 250 two-byte characters are 500 bytes.
  const exact = 'é'.repeat(LIMIT / 2);
  sender.send({ event: 'client-exact', channel, data: exact });
  const delivered = await receiver.waitEvent('client-exact', channel, { timeout: WAIT_MS });
  assert.equal(delivered.rawData, exact);

  const cases = [
    ['string data of limit + 1 UTF-8 bytes', 'client-over-string', `${'é'.repeat(LIMIT / 2)}x`],
    ['string data of limit + 1 ASCII bytes', 'client-over-ascii', 'y'.repeat(LIMIT + 1)],
    // {"t":"…"} whose compact JSON is limit + 1 bytes (8 = '{"t":""}'.length).
    ['object data of limit + 1 bytes as compact JSON', 'client-over-object', { t: 'z'.repeat(LIMIT + 1 - 8) }],
  ];
  for (const [what, event, data] of cases) {
    const senderMark = sender.mark();
    const receiverMark = receiver.mark();
    sender.send({ event, channel, data });
    const error = await sender.waitFor((m) => m.index >= senderMark && m.event === 'pusher:error', {
      timeout: WAIT_MS,
      what: `the error for ${what}`,
    });
    assertNonFatalError(error, what);
    await assertNothingBeforeMarker(receiver, channel, receiverMark, event, PAYLOAD_APP);
    await sender.ping();
    assert.equal(sender.closeInfo, undefined, `${what}: the sender stays connected`);
  }

  // An object exactly at the limit still passes.
  const atLimit = { t: 'w'.repeat(LIMIT - 8) }; // 8 = '{"t":""}'.length
  sender.send({ event: 'client-object-exact', channel, data: atLimit });
  const object = await receiver.waitEvent('client-object-exact', channel, { timeout: WAIT_MS });
  assert.deepEqual(object.json.data, atLimit);
});

// ---------------------------------------------------------------------------------------------
// Binary frames

test('a binary frame gets a pusher:error and the connection stays open', T, async () => {
  const client = await h.open(node);
  const mark = client.mark();
  client.ws.send(Buffer.from('{"event":"pusher:ping","data":{}}'), { binary: true });
  const error = await client.waitFor((m) => m.index >= mark && m.event === 'pusher:error', { timeout: WAIT_MS });
  assertNonFatalError(error, 'binary frame');
  assert.equal(client.events('pusher:pong').length, 0, 'the binary frame was not treated as a ping');

  await client.ping();
  const channel = h.uniq('after-binary-');
  await h.subOk(client, channel);
  await h.triggerOk(node, [channel], 'after-binary', 'ok');
  assert.equal((await client.waitEvent('after-binary', channel)).rawData, 'ok');
  assert.equal(client.closeInfo, undefined);

  // The same on a raw socket: a masked opcode-2 frame, then a text ping.
  const rawSocket = await rawOpen();
  rawSocket.write(h.frame({ opcode: 0x2, payload: Buffer.from([0, 1, 2, 3, 255]) }));
  const rawError = await rawSocket.waitFor((m) => m.event === 'pusher:error', { timeout: WAIT_MS });
  assertNonFatalError(rawError, 'raw binary frame');
  rawSocket.write(h.textFrame({ event: 'pusher:ping', data: {} }));
  await rawSocket.waitFor((m) => m.event === 'pusher:pong', { timeout: WAIT_MS });
  assert.equal(rawSocket.frames.filter((f) => f.opcode === 0x8).length, 0, 'no close frame');
});

// The per-connection limits are each app's settings: an app with low ones shows them.
test('max_subscriptions_per_connection and max_messages_per_second apply per app', T, async () => {
  const tight = { id: '105', key: 'key-tight', secret: 'secret-tight', max_subscriptions_per_connection: 2, max_messages_per_second: 5 };
  const other = await startNode({ apps: [tight] }, 'tight');
  const client = await h.open(other, { app: tight });
  await h.subOk(client, 'one');
  await h.subOk(client, 'two');
  const third = await h.sub(client, 'three');
  assert.equal(third.event, 'pusher:subscription_error', third.raw);
  assert.equal(third.data.type, 'LimitReached');
  assert.match(third.data.error, /at most 2 channels/);
  // The default app of the same node keeps the built-in 1000 and 100.
  const roomy = await h.open(other);
  for (const channel of ['one', 'two', 'three']) await h.subOk(roomy, channel);

  const flooder = await h.open(other, { app: tight });
  // Five frames within the second are fine; the sixth closes the connection.
  for (let i = 0; i < 6; ++i) flooder.send({ event: 'pusher:ping', data: {} });
  const closed = await flooder.waitClose(WAIT_MS);
  assert.equal(closed.code, 4100);
  assert.match(closed.reason, /more than 5 per second/);
});

test('max_api_requests_per_second: the HTTP API and the server API answer 429 past it', T, async () => {
  const limited = { id: '106', key: 'key-api', secret: 'secret-api', api_key: 'api-key-limited', max_api_requests_per_second: 5 };
  const other = await startNode({ apps: [limited] }, 'api-limit');
  // Twelve requests cannot all fit in the windows they can span (at most two: 5 + 5).
  const statuses = await Promise.all(
    Array.from({ length: 12 }, (_, i) => h.trigger(other, 'limited', 'e', String(i), { app: limited })),
  );
  const refused = statuses.filter((r) => r.status === 429);
  assert.ok(refused.length >= 2, `statuses: ${statuses.map((r) => r.status).join(' ')}`);
  assert.ok(statuses.every((r) => r.status === 200 || r.status === 429), statuses.map((r) => r.status).join(' '));
  assert.match(JSON.parse(refused[0].text).error, /at most 5 a second/);

  // The default app of the node is not limited by another app's setting.
  for (let i = 0; i < 12; ++i) await h.triggerOk(other, 'free', 'e', String(i));

  const serverApi = await Promise.all(
    Array.from({ length: 12 }, () =>
      fetch(`http://127.0.0.1:${other.port}/api/publish`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': limited.api_key },
        body: JSON.stringify({ channel: 'limited', data: {} }),
      }).then(async (r) => ({ status: r.status, text: await r.text() })),
    ),
  );
  assert.ok(serverApi.filter((r) => r.status === 429).length >= 2, serverApi.map((r) => r.status).join(' '));
});

// Connects again and again until the node takes the connection: a slot freed by a close is
// given back once the node has seen the close, shortly after the client's close returns.
async function connectOnceFreed(target) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const again = h.connect(target);
    const answer = await again.waitFor((m) => m.event === 'pusher:connection_established' || m.event === 'pusher:error');
    if (answer.event === 'pusher:connection_established') return again;
    if (Date.now() > deadline) assert.fail('the freed slot was never given back');
    await h.sleep(50);
  }
}

test('max_connections_per_address: a host past it is refused; trusted proxies are not counted', T, async () => {
  const strict = await startNode({ max_connections_per_address: 2, trusted_proxies: [] }, 'per-address');
  const first = await h.open(strict);
  await h.open(strict);
  const third = h.connect(strict);
  const error = await third.waitEvent('pusher:error');
  assert.equal(error.data.code, 4100);
  assert.match(error.data.message, /Too many connections from 127\.0\.0\.1 \(at most 2\)/);
  assert.equal((await third.waitClose()).code, 4100);
  // Centrifuge is refused right after the upgrade, before any command.
  const refused = await cf.rawCf(strict);
  assert.equal((await refused.closed).code, 3504);
  // A slot freed is a slot taken again.
  await first.close();
  await connectOnceFreed(strict);

  // Loopback is a trusted proxy by default: the shared node takes many connections from it.
  const many = await Promise.all(Array.from({ length: 5 }, () => h.open(node)));
  assert.equal(many.length, 5);
});

test('max_client_connections: past it every host, trusted proxies too, is refused with 4100 "Over capacity"; a freed slot is taken again', T, async () => {
  const full = await startNode({ max_client_connections: 2 }, 'node-full');
  const first = await h.open(full);
  const second = await h.open(full);
  const third = h.connect(full);
  const error = await third.waitEvent('pusher:error');
  assert.equal(error.data.code, 4100);
  assert.equal(error.data.message, 'Over capacity: the node holds its maximum of 2 connections');
  assert.equal((await third.waitClose()).code, 4100);
  const refused = await cf.rawCf(full);
  assert.equal((await refused.closed).code, 3504);
  // The two connections inside the limit are still served.
  await first.ping();
  await second.ping();

  await first.close();
  await connectOnceFreed(full);
});

test('handshake_timeout: a TCP connection that sends nothing is closed after the configured time, not the default 10 s', T, async () => {
  const quick = await startNode({ handshake_timeout: 2 }, 'handshake-timeout');
  const started = Date.now();
  const socket = net.connect(quick.port, HOST);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const closedAfter = await h.withTimeout(
    new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started))),
    WAIT_MS,
    'the node closing a silent connection',
  );
  assert.ok(closedAfter >= 1_500, `closed after ${closedAfter} ms, before the 2 s handshake_timeout`);
  assert.ok(closedAfter < 10_000, `closed after ${closedAfter} ms: the 2 s handshake_timeout was not applied`);
  // The node itself goes on serving.
  const client = await h.open(quick);
  await client.ping();
});
