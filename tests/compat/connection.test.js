'use strict';

// Connection handshake, close codes and liveness replies (protocol brief 1.1-1.3; B26a).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { useNode, HOST } = require('./lib/node');
const h = require('./lib/helpers');

const node = useNode({}, 'connection');
const T = { timeout: 60_000 };
const SOCKET_ID = /^\d+\.\d+$/;

test('connection_established is the first frame: double-encoded data, socket_id and activity_timeout', T, async () => {
  const c = await h.open(node);
  const first = c.messages[0];
  assert.equal(first.event, 'pusher:connection_established');
  assert.equal(typeof first.rawData, 'string', 'data of a pusher:* event is a JSON string (double encoding)');
  assert.equal(typeof first.data, 'object');
  assert.match(first.data.socket_id, SOCKET_ID);
  assert.ok(Number.isInteger(first.data.activity_timeout), 'activity_timeout is an integer');
  assert.ok(first.data.activity_timeout > 0, 'pusher-js rejects a missing or zero activity_timeout');
  await c.close();
});

test('socket_id is unique across 50 connections', T, async () => {
  const clients = await Promise.all(Array.from({ length: 50 }, () => h.open(node)));
  const ids = clients.map((c) => c.socketId);
  for (const id of ids) assert.match(id, SOCKET_ID);
  assert.equal(new Set(ids).size, 50, `duplicate socket ids: ${ids.join(' ')}`);
  await Promise.all(clients.map((c) => c.close()));
});

test('unknown app key: pusher:error 4001, then close 4001', T, async () => {
  const c = h.connect(node, { key: 'no-such-key' });
  const error = await c.waitEvent('pusher:error', undefined, { rejectOnClose: false });
  assert.equal(error.data.code, 4001);
  assert.equal(typeof error.data.message, 'string');
  const closed = await c.waitClose();
  assert.equal(closed.code, 4001);
  assert.equal(c.events('pusher:connection_established').length, 0, 'no connection_established for an unknown key');
});

test('unsupported protocol version is closed with 4007', T, async () => {
  const c = h.connect(node, { query: 'protocol=99&client=js&version=8.6.0' });
  const closed = await c.waitClose();
  assert.equal(closed.code, 4007);
  assert.equal(c.events('pusher:connection_established').length, 0);
});

test('unknown query parameters are ignored', T, async () => {
  const c = await h.open(node, { query: `${h.CLIENT_QUERY}&foo=bar&timestamp=1` });
  assert.match(c.socketId, SOCKET_ID);
  await c.close();
});

test('pusher:ping is answered with pusher:pong', T, async () => {
  const c = await h.open(node);
  c.send({ event: 'pusher:ping', data: {} });
  const pong = await c.waitEvent('pusher:pong');
  assert.equal(pong.event, 'pusher:pong');
  assert.equal(pong.channel, undefined);
  // A second ping on the same socket is answered too.
  c.send({ event: 'pusher:ping', data: {} });
  await c.waitEvent('pusher:pong');
  assert.ok(c.isOpen);
  await c.close();
});

test('a WebSocket ping frame is answered with a pong frame carrying the same payload', T, async () => {
  const c = await h.open(node);
  c.ws.ping(Buffer.from('hb-1234'));
  const payload = await c.waitUntil((cl) => cl.pongFrames.find((p) => p.toString() === 'hb-1234'), {
    what: 'pong frame with payload "hb-1234"',
  });
  assert.equal(payload.toString(), 'hb-1234');
  assert.ok(c.isOpen);
  await c.close();
});

test('pusher-js (node build) connects and gets a socket id', T, async () => {
  const client = h.pusherClient(node);
  await h.waitPusherState(client, 'connected');
  assert.match(client.connection.socket_id, SOCKET_ID);
  await h.disconnectPusher(client);
});

test('B26a: pusher-js pointed at an unknown key makes at most one connection attempt in 30 s', { timeout: 90_000 }, async () => {
  // A counting TCP relay on 127.0.0.1 in front of the node: every attempt is one TCP connection.
  let attempts = 0;
  const sockets = new Set();
  const relay = net.createServer((inbound) => {
    attempts += 1;
    const outbound = net.connect({ host: HOST, port: node.port });
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', drop);
    outbound.on('error', drop);
    inbound.on('close', drop);
    outbound.on('close', drop);
  });
  await new Promise((resolve) => relay.listen(0, HOST, resolve));
  const relayPort = relay.address().port;
  try {
    const errors = [];
    const client = h.pusherClient({ port: relayPort, app: { ...node.app, key: 'no-such-key' } });
    client.connection.bind('error', (error) => errors.push(error));
    await h.sleep(30_000);
    assert.ok(attempts >= 1, 'pusher-js made no attempt at all');
    assert.ok(attempts <= 1, `pusher-js made ${attempts} connection attempts in 30 s`);
    // pusher-js wraps handshake refusals: {type: 'WebSocketError', error: {type: 'PusherError', data: {code}}}.
    const codes = errors.map((e) => e?.data?.code ?? e?.error?.data?.code).filter((code) => code !== undefined);
    assert.ok(codes.includes(4001), `pusher-js saw error codes ${JSON.stringify(codes)}, expected 4001`);
    await h.disconnectPusher(client);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => relay.close(resolve));
  }
});
