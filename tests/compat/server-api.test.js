'use strict';

// The Centrifugo-style server API on /api/<method>: authentication by API key, every method's
// result with exact values, protocol errors as HTTP 200 with an error object, and the HTTP
// failures (401 without a key, 400 for a body that is not JSON, 405 for GET).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { useNode } = require('./lib/node');
const { open, sub: pusherSub } = require('./lib/helpers');
const { connToken, rawConnected } = require('./lib/centrifuge');

const node = useNode({
  app: {
    api_key: 'service-key',
    namespaces: [
      { name: '', history_size: 10, presence: true },
      { name: 'chat', history_size: 5, presence: true },
    ],
  },
  apps: [{ id: '303', key: 'key3', secret: 'secret3' }],
}, 'server-api');

function post(path, body, headers = { 'X-API-Key': 'service-key' }, method = 'POST') {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: node.port, path, method,
      headers: { 'Content-Type': 'application/json', ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, text,
        json: text.startsWith('{') ? JSON.parse(text) : undefined }));
    });
    request.on('error', reject);
    if (method !== 'GET') request.write(payload);
    request.end();
  });
}

test('publish reaches Centrifuge and Pusher subscribers, data byte for byte, and answers the stream position', async () => {
  const { client } = await rawConnected(node, await connToken(node.app, { sub: 'u1' }));
  const subscribed = await client.call('subscribe', { channel: 'api-news' });
  assert.ok(subscribed.subscribe);
  const pusher = await open(node);
  await pusherSub(pusher, 'api-news');

  const data = '{"z":1,"a":[1.50,2],"big":9007199254740993}';
  const response = await post('/api/publish', `{"channel":"api-news","data":${data},"tags":{"event":"order"}}`);
  assert.equal(response.status, 200);
  assert.equal(response.json.result.offset, 1);
  assert.match(response.json.result.epoch, /^[A-Za-z0-9]{8}$/);

  const push = await client.waitPush((p) => p.channel === 'api-news' && p.pub);
  assert.equal(client.lines.find((l) => l.json && l.json.push && l.json.push.pub).text,
    `{"push":{"channel":"api-news","pub":{"data":${data},"offset":1,"tags":{"event":"order"}}}}`);
  assert.equal(push.pub.offset, 1);
  const event = await pusher.waitEvent('order');
  assert.equal(event.channel, 'api-news');
  // Pusher server events carry data as a string: exactly the JSON text the service sent.
  assert.equal(event.rawData, data);
});

test('broadcast answers per channel in order, with errors for unknown namespaces', async () => {
  const response = await post('/api/broadcast', { channels: ['b-1', 'chat:room', 'nope:x'], data: { n: 1 } });
  assert.equal(response.status, 200);
  const [first, second, third] = response.json.result.responses;
  assert.equal(first.result.offset, 1);
  assert.equal(second.result.offset, 1);
  assert.deepEqual(third, { error: { code: 102, message: 'unknown channel' } });
});

test('history, presence, presence_stats and channels return exact results', async () => {
  for (let i = 1; i <= 3; ++i) await post('/api/publish', { channel: 'chat:h', data: { i } });
  const history = await post('/api/history', { channel: 'chat:h', limit: 2 });
  assert.deepEqual(history.json.result.publications, [{ data: { i: 1 }, offset: 1 }, { data: { i: 2 }, offset: 2 }]);
  assert.equal(history.json.result.offset, 3);
  const reversed = await post('/api/history', { channel: 'chat:h', limit: 1, reverse: true });
  assert.deepEqual(reversed.json.result.publications, [{ data: { i: 3 }, offset: 3 }]);

  const a = await rawConnected(node, await connToken(node.app, { sub: 'alice', info: { n: 'A' } }));
  const b = await rawConnected(node, await connToken(node.app, { sub: 'alice' }));
  await a.client.call('subscribe', { channel: 'chat:p' });
  await b.client.call('subscribe', { channel: 'chat:p' });
  const presence = await post('/api/presence', { channel: 'chat:p' });
  const members = presence.json.result.presence;
  assert.deepEqual(Object.keys(members).sort(), [a.reply.connect.client, b.reply.connect.client].sort());
  assert.deepEqual(members[a.reply.connect.client],
    { user: 'alice', client: a.reply.connect.client, conn_info: { n: 'A' } });
  const stats = await post('/api/presence_stats', { channel: 'chat:p' });
  assert.deepEqual(stats.json.result, { num_clients: 2, num_users: 1 });

  const channels = await post('/api/channels', { pattern: 'chat:*' });
  assert.deepEqual(channels.json.result.channels, { 'chat:p': { num_clients: 2 } });
});

test('disconnect closes the user\'s connections with 3503 and leaves others alone', async () => {
  const target = await rawConnected(node, await connToken(node.app, { sub: 'mallory' }));
  const other = await rawConnected(node, await connToken(node.app, { sub: 'trent' }));
  const response = await post('/api/disconnect', { user: 'mallory' });
  assert.deepEqual(response.json, { result: {} });
  assert.equal((await target.client.waitClose()).code, 3503);
  assert.ok(other.client.isOpen);
});

test('keys: X-API-Key, Authorization apikey, ?api_key; another app by its secret; wrong or missing key 401', async () => {
  const body = { channel: 'k', data: 1 };
  assert.equal((await post('/api/publish', body)).status, 200);
  assert.equal((await post('/api/publish', body, { Authorization: 'apikey service-key' })).status, 200);
  assert.equal((await post('/api/publish?api_key=service-key', body, {})).status, 200);
  // The default app's secret is not its key once api_key is set; app 303 has none, so its secret serves.
  assert.equal((await post('/api/publish', body, { 'X-API-Key': node.app.secret })).status, 401);
  assert.equal((await post('/api/publish', body, { 'X-API-Key': 'secret3' })).status, 200);
  const refused = await post('/api/publish', body, {});
  assert.equal(refused.status, 401);
  assert.equal(refused.text, '');
});

test('protocol errors are 200 with an error object; bad HTTP gets 400 and 405', async () => {
  assert.deepEqual((await post('/api/nosuch', {})).json, { error: { code: 104, message: 'method not found' } });
  assert.equal((await post('/api/publish', { channel: 'x' })).json.error.code, 107);
  assert.equal((await post('/api/history', { channel: 'nope:x' })).json.error.code, 102);
  const notJson = await post('/api/publish', '{broken');
  assert.equal(notJson.status, 400);
  assert.match(notJson.text, /JSON/);
  assert.equal((await post('/api/publish', '', { 'X-API-Key': 'service-key' }, 'GET')).status, 405);
});

// Trailer fields of a chunked body are not headers of the request: a key sent only there does
// not authenticate (before, the node merged trailers into the headers).
test('an X-API-Key sent only as a chunked trailer is no key: 401', async () => {
  const socket = net.connect({ host: '127.0.0.1', port: node.port });
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await new Promise((resolve) => socket.once('connect', resolve));
  const body = '{"channel":"trailer-news","data":{"x":1}}';
  socket.write(
    'POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
      `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\nX-API-Key: service-key\r\nX-Other: 1\r\n\r\n`,
  );
  await closed;
  assert.match(received, /^HTTP\/1\.1 401 /, received.slice(0, 200));
});
