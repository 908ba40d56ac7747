'use strict';

// HTTP API through the official `pusher` SDK and by hand: events, batch, channel queries,
// users, terminate_connections, signature checks, limits and error bodies
// (protocol brief 2.1-2.3; B16, B17).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const node = useNode({}, 'http-api');
const T = { timeout: 60_000 };
const WINDOW_MS = 1_000;

const appPath = (suffix) => `/apps/${node.app.id}${suffix}`;

function assertErrorBody(response, status, cause) {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${response.text}`);
  assert.ok(
    response.json && typeof response.json.error === 'string',
    `error body must be JSON {"error": "..."}: ${response.text}`,
  );
  assert.match(response.json.error, cause, `the error text should say what was wrong: ${response.text}`);
  assert.equal(response.text.includes(node.app.secret), false, 'the response leaks the app secret');
}

async function subscribers(channel, count) {
  const clients = [];
  for (let i = 0; i < count; i += 1) {
    const c = await h.open(node);
    await h.subOk(c, channel);
    clients.push(c);
  }
  return clients;
}

async function presenceMembers(channel, userIds) {
  const clients = [];
  for (const id of userIds) {
    const c = await h.open(node);
    await h.subOk(c, channel, { user: { id } });
    clients.push(c);
  }
  return clients;
}

// ---- events -----------------------------------------------------------------------------------

test('SDK trigger to one channel: 200, data JSON-encoded by the SDK arrives byte-for-byte', T, async () => {
  const channel = h.uniq('news-');
  const [c] = await subscribers(channel, 1);
  const response = await h.sdk(node).trigger(channel, 'my-event', { hello: 'world' });
  assert.equal(response.status, 200);
  const event = await c.waitEvent('my-event', channel);
  assert.equal(event.rawData, '{"hello":"world"}');
  await c.close();
});

test('SDK trigger to several channels: once per channel, also for a socket on both', T, async () => {
  const ch1 = h.uniq('news-');
  const ch2 = h.uniq('news-');
  const [only1] = await subscribers(ch1, 1);
  const both = await h.open(node);
  await h.subOk(both, ch1);
  await h.subOk(both, ch2);
  await h.sdk(node).trigger([ch1, ch2], 'multi', 'text');
  await both.waitEvent('multi', ch1);
  await both.waitEvent('multi', ch2);
  await only1.waitEvent('multi', ch1);
  await h.sleep(WINDOW_MS);
  assert.equal(both.events('multi').length, 2);
  assert.equal(only1.events('multi').length, 1);
  // The SDK sends string data as is (objects are JSON-encoded).
  assert.equal(only1.events('multi')[0].rawData, 'text');
  await both.close();
  await only1.close();
});

test('socket_id excludes exactly that connection (SDK and by hand)', T, async () => {
  const channel = h.uniq('news-');
  const [s1, s2] = await subscribers(channel, 2);
  await h.sdk(node).trigger(channel, 'sdk-excluded', {}, { socket_id: s1.socketId });
  await h.triggerOk(node, [channel], 'hand-excluded', '{}', { socketId: s1.socketId });
  await s2.waitEvent('sdk-excluded', channel);
  await s2.waitEvent('hand-excluded', channel);
  await h.sleep(WINDOW_MS);
  assert.equal(s1.events('sdk-excluded').length + s1.events('hand-excluded').length, 0);
  await s1.close();
  await s2.close();
});

test('trigger with info returns subscription_count and user_count per channel', T, async () => {
  const news = h.uniq('news-');
  const presence = h.uniq('presence-');
  const newsClients = await subscribers(news, 2);
  const members = await presenceMembers(presence, ['p1', 'p1', 'p2']);

  const response = await h.trigger(node, [news, presence], 'with-info', '1', { info: 'subscription_count,user_count' });
  assert.equal(response.status, 200, response.text);
  assert.equal(typeof response.json?.channels, 'object', response.text);
  assert.deepEqual(Object.keys(response.json.channels).sort(), [news, presence].sort());
  assert.equal(response.json.channels[news].subscription_count, 2);
  assert.equal(response.json.channels[presence].user_count, 2);

  const sdkResponse = await h.sdk(node).trigger(news, 'with-info', {}, { info: 'subscription_count' });
  assert.deepEqual(await sdkResponse.json(), { channels: { [news]: { subscription_count: 2 } } });
  await Promise.all([...newsClients, ...members].map((c) => c.close()));
});

test('event names may contain backslashes (Laravel class names); 200 characters pass, 201 are refused', T, async () => {
  const channel = h.uniq('news-');
  const [c] = await subscribers(channel, 1);
  await h.triggerOk(node, [channel], 'App\\Events\\OrderShipped', '{"id":7}');
  const event = await c.waitEvent('App\\Events\\OrderShipped', channel);
  assert.equal(event.rawData, '{"id":7}');
  const name200 = 'e'.repeat(200);
  await h.triggerOk(node, [channel], name200, '1');
  await c.waitEvent(name200, channel);
  const tooLong = await h.trigger(node, [channel], 'e'.repeat(201), '1');
  assertErrorBody(tooLong, 400, /name|event|200|long/i);
  await c.close();
});

test('a trigger to more than 100 channels is refused with 400', T, async () => {
  const channels = Array.from({ length: 101 }, (_, i) => `many-${i}`);
  const response = await h.trigger(node, channels, 'fan', '1');
  assertErrorBody(response, 400, /channel|100/i);
});

test('event data limit: 10240 bytes pass, 10241 bytes get 413, measured in UTF-8 bytes', T, async () => {
  const channel = h.uniq('news-');
  const [c] = await subscribers(channel, 1);
  const exact = 'x'.repeat(10240);
  await h.triggerOk(node, [channel], 'big', exact);
  const event = await c.waitEvent('big', channel);
  assert.equal(event.rawData, exact);

  assertErrorBody(await h.trigger(node, [channel], 'too-big', 'x'.repeat(10241)), 413, /size|large|limit|bytes|payload|10240|10 ?KB/i);
  // 5121 two-byte characters: 5121 UTF-16 units but 10242 bytes.
  assertErrorBody(await h.trigger(node, [channel], 'too-big', '\u00e9'.repeat(5121)), 413, /size|large|limit|bytes|payload|10240|10 ?KB/i);
  await h.sleep(WINDOW_MS);
  assert.equal(c.events('too-big').length, 0);
  await c.close();
});

// ---- batch_events (B17) ------------------------------------------------------------------------

test('B17: batch_events delivers items in order, rejects a batch atomically, honours per-item socket_id', T, async () => {
  const news = h.uniq('news-');
  const [s1, s2] = await subscribers(news, 2);
  const batch = (items) => h.api(node, 'POST', appPath('/batch_events'), { body: JSON.stringify({ batch: items }) });

  const a = await batch([
    { channel: news, name: 'e1', data: '1' },
    { channel: news, name: 'e2', data: '2' },
  ]);
  assert.equal(a.status, 200, a.text);
  for (const s of [s1, s2]) {
    const e1 = await s.waitEvent('e1', news);
    const e2 = await s.waitEvent('e2', news);
    assert.ok(e1.index < e2.index, 'e1 before e2');
    assert.equal(e1.rawData, '1');
    assert.equal(e2.rawData, '2');
  }

  const b = await batch([
    { channel: news, name: 'b-ok', data: '1' },
    { name: 'b-no-channel', data: '2' },
  ]);
  assertErrorBody(b, 400, /channel/i);

  const c = await batch([
    { channel: news, name: 'c-ok', data: '1' },
    { channel: news, event: 'c-event-field', data: '2' },
  ]);
  assertErrorBody(c, 400, /name/i);

  const d = await batch(Array.from({ length: 11 }, (_, i) => ({ channel: news, name: `d-${i}`, data: '1' })));
  assertErrorBody(d, 400, /batch|10|items|many/i);

  const e = await batch([
    { channel: news, name: 'e-item1', data: '1', socket_id: s1.socketId },
    { channel: news, name: 'e-item2', data: '2' },
  ]);
  assert.equal(e.status, 200, e.text);
  await s2.waitEvent('e-item1', news);
  await s2.waitEvent('e-item2', news);
  await s1.waitEvent('e-item2', news);

  await h.sleep(WINDOW_MS);
  for (const s of [s1, s2]) {
    const names = s.messages.map((m) => m.event);
    for (const refused of ['b-ok', 'b-no-channel', 'c-ok', 'c-event-field', ...Array.from({ length: 11 }, (_, i) => `d-${i}`)]) {
      assert.equal(names.includes(refused), false, `event ${refused} of a refused batch was delivered`);
    }
    assert.equal(s.events('e1').length, 1);
    assert.equal(s.events('e2').length, 1);
  }
  assert.equal(s1.events('e-item1').length, 0, 'item 1 was not excluded for its socket_id');
  await s1.close();
  await s2.close();
});

test('batch_events with info returns index-aligned attributes; the SDK triggerBatch works', T, async () => {
  const news = h.uniq('news-');
  const clients = await subscribers(news, 2);
  const response = await h.api(node, 'POST', appPath('/batch_events'), {
    body: JSON.stringify({
      batch: [
        { channel: news, name: 'i1', data: '1', info: 'subscription_count' },
        { channel: news, name: 'i2', data: '2' },
      ],
    }),
  });
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.json, { batch: [{ subscription_count: 2 }, {}] });

  const sdkResponse = await h.sdk(node).triggerBatch([
    { channel: news, name: 'sdk-b1', data: { n: 1 } },
    { channel: news, name: 'sdk-b2', data: { n: 2 } },
  ]);
  assert.equal(sdkResponse.status, 200);
  const b1 = await clients[0].waitEvent('sdk-b1', news);
  assert.equal(b1.rawData, '{"n":1}');
  await clients[0].waitEvent('sdk-b2', news);
  await Promise.all(clients.map((c) => c.close()));
});

// ---- channel queries ---------------------------------------------------------------------------

test('GET /channels: filter_by_prefix with info=user_count, occupied channels only', T, async () => {
  const prefix = h.uniq('presence-pfx-');
  const chA = `${prefix}-a`;
  const chB = `${prefix}-b`;
  const pub = h.uniq('pfx-pub-');
  const vacated = h.uniq('pfx-gone-');
  const members = [...(await presenceMembers(chA, ['u1', 'u1', 'u2'])), ...(await presenceMembers(chB, ['u3']))];
  const [pubClient] = await subscribers(pub, 1);
  const [gone] = await subscribers(vacated, 1);
  gone.send({ event: 'pusher:unsubscribe', data: { channel: vacated } });
  await gone.ping();

  const filtered = await h.api(node, 'GET', appPath('/channels'), { query: { filter_by_prefix: prefix, info: 'user_count' } });
  assert.equal(filtered.status, 200, filtered.text);
  assert.deepEqual(filtered.json, { channels: { [chA]: { user_count: 2 }, [chB]: { user_count: 1 } } });

  const all = await h.api(node, 'GET', appPath('/channels'));
  assert.equal(all.status, 200, all.text);
  for (const name of [chA, chB, pub]) {
    assert.equal(typeof all.json.channels[name], 'object', `${name} missing from ${all.text}`);
  }
  assert.equal(vacated in all.json.channels, false, 'an unoccupied channel is listed');

  const byPublicPrefix = await h.api(node, 'GET', appPath('/channels'), { query: { filter_by_prefix: pub } });
  assert.equal(byPublicPrefix.status, 200, byPublicPrefix.text);
  assert.deepEqual(Object.keys(byPublicPrefix.json.channels), [pub]);

  const sdkResponse = await h.sdk(node).get({ path: '/channels', params: { filter_by_prefix: prefix, info: 'user_count' } });
  assert.deepEqual(await sdkResponse.json(), filtered.json);

  assertErrorBody(
    await h.api(node, 'GET', appPath('/channels'), { query: { filter_by_prefix: 'pfx-', info: 'user_count' } }),
    400,
    /presence|user_count/i,
  );
  assertErrorBody(await h.api(node, 'GET', appPath('/channels'), { query: { info: 'user_count' } }), 400, /presence|user_count/i);
  await Promise.all([...members, pubClient, gone].map((c) => c.close()));
});

test('GET /channels/NAME with info', T, async () => {
  const pub = h.uniq('news-');
  const presence = h.uniq('presence-');
  const pubClients = await subscribers(pub, 2);
  const members = await presenceMembers(presence, ['a', 'a', 'b']);

  const get = (name, info) => h.api(node, 'GET', appPath(`/channels/${name}`), info ? { query: { info } } : {});

  let r = await get(pub, 'subscription_count');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { occupied: true, subscription_count: 2 });

  r = await get(pub);
  assert.deepEqual(r.json, { occupied: true });

  r = await get(presence, 'user_count');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { occupied: true, user_count: 2 });

  r = await get(h.uniq('empty-'));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { occupied: false });

  // Presence channels support both attributes (Pusher's SDKs document "all" as
  // user_count + subscription_count for presence channels); user_count needs presence.
  r = await get(presence, 'user_count,subscription_count');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { occupied: true, user_count: 2, subscription_count: 3 });
  assertErrorBody(await get(pub, 'user_count'), 400, /presence|user_count/i);
  await Promise.all([...pubClients, ...members].map((c) => c.close()));
});

test('GET /channels/NAME/users lists presence members once each; non-presence channels get 400', T, async () => {
  const presence = h.uniq('presence-');
  const members = await presenceMembers(presence, ['1', 'u2', 'u2']);
  const r = await h.api(node, 'GET', appPath(`/channels/${presence}/users`));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    [...r.json.users].sort((x, y) => x.id.localeCompare(y.id)),
    [{ id: '1' }, { id: 'u2' }],
  );
  const pub = h.uniq('news-');
  const [c] = await subscribers(pub, 1);
  assertErrorBody(await h.api(node, 'GET', appPath(`/channels/${pub}/users`)), 400, /presence/i);
  await Promise.all([...members, c].map((x) => x.close()));
});

test('terminate_connections closes every signed-in connection of the user and nothing else', T, async () => {
  const u1a = await h.open(node);
  const u1b = await h.open(node);
  const u2 = await h.open(node);
  const presenceOnly = await h.open(node); // presence member "u1" that never signed in
  await h.signinOk(u1a, { id: 'u1' });
  await h.signinOk(u1b, { id: 'u1' });
  await h.signinOk(u2, { id: 'u2' });
  await h.subOk(presenceOnly, h.uniq('presence-'), { user: { id: 'u1' } });

  const response = await h.sdk(node).terminateUserConnections('u1');
  assert.equal(response.status, 200);
  await u1a.waitClose();
  await u1b.waitClose();
  await h.sleep(WINDOW_MS);
  assert.ok(u2.isOpen, 'another user was disconnected');
  assert.ok(presenceOnly.isOpen, 'a connection that never signed in was disconnected');
  await u2.ping();
  await u2.close();
  await presenceOnly.close();
});

// ---- request signing (B16) ---------------------------------------------------------------------

test('B16: signed GETs with extra params pass whatever the URL order and escaping', T, async () => {
  const query = { filter_by_prefix: 'presence-', info: 'user_count' };
  const sorted = await h.api(node, 'GET', appPath('/channels'), { query });
  assert.equal(sorted.status, 200, sorted.text);
  const reversed = await h.api(node, 'GET', appPath('/channels'), { query, order: 'reversed' });
  assert.equal(reversed.status, 200, reversed.text);
  const unescaped = await h.api(node, 'GET', appPath('/channels'), { query, escape: false });
  assert.equal(unescaped.status, 200, unescaped.text);
  const escapedAt = await h.api(node, 'GET', appPath('/channels'), { query: { filter_by_prefix: 'private-a@b' } });
  assert.equal(escapedAt.status, 200, escapedAt.text);
  assert.deepEqual(escapedAt.json, { channels: {} });
  // The SDK signs the same way and sends raw values.
  const sdk = await h.sdk(node).get({ path: '/channels', params: query });
  assert.equal(sdk.status, 200);
});

test('B16: bad signature, stale timestamp, changed body and unknown key get 401 with a reason and deliver nothing', T, async () => {
  const channel = h.uniq('news-');
  const [c] = await subscribers(channel, 1);
  const body = (name) => JSON.stringify({ name, channels: [channel], data: '{}' });
  const post = (name, options) => h.api(node, 'POST', appPath('/events'), { body: body(name), ...options });

  assertErrorBody(await post('bad-signature', { signature: '0'.repeat(64) }), 401, /signature/i);
  assertErrorBody(
    await post('stale', { timestamp: Math.floor(Date.now() / 1000) - 700 }),
    401,
    /timestamp|time|expired|old|clock/i,
  );
  assertErrorBody(
    await h.api(node, 'POST', appPath('/events'), { body: body('changed-after'), signBody: body('changed-before') }),
    401,
    /md5|body/i,
  );
  assertErrorBody(await post('unknown-key', { authKey: 'no-such-key' }), 401, /key/i);

  await h.sleep(WINDOW_MS);
  const delivered = c.messages.filter((m) => ['bad-signature', 'stale', 'changed-after', 'changed-before', 'unknown-key'].includes(m.event));
  assert.deepEqual(delivered, []);
  await h.triggerOk(node, [channel], 'still-works', '{}');
  await c.waitEvent('still-works', channel);
  await c.close();
});

test('invalid JSON body gets 400, a body without name gets 400, an unknown app id gets 404', T, async () => {
  assertErrorBody(await h.api(node, 'POST', appPath('/events'), { body: '{"name":"x","channels":[' }), 400, /json/i);
  assertErrorBody(
    await h.api(node, 'POST', appPath('/events'), { body: JSON.stringify({ channels: ['news'], data: '1' }) }),
    400,
    /name/i,
  );
  assertErrorBody(
    await h.api(node, 'POST', '/apps/no-such-app/events', { body: JSON.stringify({ name: 'x', channels: ['news'], data: '1' }) }),
    404,
    /app/i,
  );
});
