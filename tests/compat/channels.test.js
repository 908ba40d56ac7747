'use strict';

// Subscribing to every channel kind, auth failures, name rules, cache channels
// (protocol brief 1.4, 1.5, 1.9, 2.4; B06, B08, B10).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const APP2 = { id: '102', key: 'key2', secret: 'secret2', max_channel_name_length: 164 };
const APP3 = { id: '103', key: 'key3', secret: 'secret3', subscription_count_events: true };
const node = useNode({ apps: [APP2, APP3] }, 'channels');
const T = { timeout: 60_000 };
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const WINDOW_MS = 1_000; // generous window for "nothing else arrives"

function pad(prefix, length) {
  assert.ok(prefix.length <= length);
  return prefix + 'x'.repeat(length - prefix.length);
}

test('public channel: subscription_succeeded with data "{}", API events forwarded byte-for-byte', T, async () => {
  const c = await h.open(node);
  const channel = h.uniq('news-');
  const ok = await h.subOk(c, channel);
  assert.equal(typeof ok.rawData, 'string', 'pusher_internal data is a JSON string');
  assert.deepEqual(ok.data, {});

  await h.triggerOk(node, [channel], 'my-event', '{"hello":"world"}');
  const event = await c.waitEvent('my-event', channel);
  assert.equal(event.rawData, '{"hello":"world"}');
  assert.equal('user_id' in event.json, false);

  await h.triggerOk(node, [channel], 'plain', 'not json at all');
  const plain = await c.waitEvent('plain', channel);
  assert.equal(plain.rawData, 'not json at all');
  await c.close();
});

test('subscribing twice to the same channel delivers each event once', T, async () => {
  const c = await h.open(node);
  const channel = h.uniq('news-');
  c.send({ event: 'pusher:subscribe', data: { auth: '', channel } });
  c.send({ event: 'pusher:subscribe', data: { auth: '', channel } });
  await c.waitEvent('pusher_internal:subscription_succeeded', channel);
  await h.triggerOk(node, [channel], 'once', '1');
  await c.waitEvent('once', channel);
  await h.sleep(WINDOW_MS);
  assert.equal(c.events('once', channel).length, 1);
  assert.ok(c.isOpen);
  await c.close();
});

test('unsubscribe stops delivery', T, async () => {
  const c = await h.open(node);
  const channel = h.uniq('news-');
  await h.subOk(c, channel);
  c.send({ event: 'pusher:unsubscribe', data: { channel } });
  await c.ping(); // the unsubscribe has been processed once the pong is back
  await h.triggerOk(node, [channel], 'after-unsubscribe', '1');
  await h.sleep(WINDOW_MS);
  assert.equal(c.events('after-unsubscribe').length, 0);
  await c.close();
});

test('private channel: valid auth subscribes and receives events', T, async () => {
  const c = await h.open(node);
  const channel = h.uniq('private-');
  const ok = await h.subOk(c, channel, { auth: h.chanAuth(c.socketId, channel) });
  assert.deepEqual(ok.data, {});
  await h.triggerOk(node, [channel], 'secret', '{"a":1}');
  const event = await c.waitEvent('secret', channel);
  assert.equal(event.rawData, '{"a":1}');
  await c.close();
});

test('private channel with a bad signature: subscription_error, socket stays open, later subscribes work', T, async () => {
  const c = await h.open(node);
  const channel = h.uniq('private-');
  const reply = await h.sub(c, channel, { auth: `${node.app.key}:${'0'.repeat(64)}` });
  h.assertSubscriptionError(reply, channel, { auth: true });
  await c.ping();
  assert.ok(c.isOpen);

  await h.triggerOk(node, [channel], 'leak', '1');
  const news = h.uniq('news-');
  await h.subOk(c, news);
  await h.triggerOk(node, [news], 'fine', '1');
  await c.waitEvent('fine', news);
  await h.subOk(c, channel);
  await h.sleep(WINDOW_MS);
  assert.equal(c.events('leak').length, 0, 'an event of a refused channel leaked');
  await c.close();
});

test('private channel without auth, with another app\'s signature, or with a malformed auth string is refused', T, async () => {
  const c = await h.open(node);
  const channel = h.uniq('private-');
  const app2 = node.appById('102');
  const cases = [
    ['no auth field', null],
    ['empty auth', ''],
    ['signed by another app', h.chanAuth(c.socketId, channel, undefined, app2)],
    ['right secret, wrong key', `${app2.key}:${h.chanAuth(c.socketId, channel).split(':')[1]}`],
    ['no colon', h.chanAuth(c.socketId, channel).replace(':', '')],
  ];
  for (const [what, auth] of cases) {
    const reply = await h.sub(c, channel, { auth });
    assert.equal(reply.event, 'pusher:subscription_error', `${what}: ${reply.raw}`);
    h.assertSubscriptionError(reply, channel);
    assert.ok(c.isOpen, `${what}: socket closed`);
  }
  await h.subOk(c, channel);
  await c.close();
});

test('B08: a signature made for an earlier socket_id is refused; the connection stays usable', T, async () => {
  const channel = h.uniq('private-x-');
  const c1 = await h.open(node);
  const staleAuth = h.chanAuth(c1.socketId, channel);
  await c1.close();

  const c2 = await h.open(node);
  assert.notEqual(c2.socketId, c1.socketId);
  const reply = await h.sub(c2, channel, { auth: staleAuth });
  h.assertSubscriptionError(reply, channel, { auth: true });
  assert.equal(c2.events('pusher_internal:subscription_succeeded', channel).length, 0);

  await h.triggerOk(node, [channel], 'before-auth', '1');
  const news = h.uniq('news-');
  await h.subOk(c2, news);
  await h.triggerOk(node, [news], 'news-event', '1');
  await c2.waitEvent('news-event', news);

  await h.subOk(c2, channel, { auth: h.chanAuth(c2.socketId, channel) });
  await h.triggerOk(node, [channel], 'after-auth', '2');
  const event = await c2.waitEvent('after-auth', channel);
  assert.equal(event.rawData, '2');
  await h.sleep(WINDOW_MS);
  assert.equal(c2.events('before-auth').length, 0, 'an event sent before the valid subscribe was delivered');
  await c2.close();
});

test('B06: names with @ = ; are signed over the raw name, not the percent-encoded one', T, async () => {
  const name = 'private-resv@venue=v1;date=2017-01-13';
  const encoded = 'private-resv%40venue%3Dv1%3Bdate%3D2017-01-13';
  const c = await h.open(node);

  const wrong = await h.sub(c, name, { auth: h.chanAuth(c.socketId, encoded) });
  h.assertSubscriptionError(wrong, name, { auth: true });
  assert.ok(c.isOpen);

  await h.subOk(c, name, { auth: h.chanAuth(c.socketId, name) });

  const invalid = await h.sub(c, encoded, { auth: h.chanAuth(c.socketId, encoded) });
  h.assertSubscriptionError(invalid, encoded);
  assert.ok(c.isOpen);

  await h.triggerOk(node, [name], 'e', '{}');
  await c.waitEvent('e', name);
  await h.sleep(WINDOW_MS);
  assert.equal(c.events('e', name).length, 1);
  await c.close();
});

test('B10: channel name characters and the configured 164-character limit', T, async () => {
  const app2 = node.appById('102');
  const c = await h.open(node, { app: app2 });
  const good = ['a_-=@,.;b', pad('b10-', 164)];
  for (const name of good) await h.subOk(c, name);

  const bad = [pad('b10-', 165), 'bad:name', 'bad name', 'caf\u00e9', 'a/b'];
  for (const name of bad) {
    const reply = await h.sub(c, name);
    h.assertSubscriptionError(reply, name);
    assert.ok(c.isOpen, `socket closed after subscribing to ${JSON.stringify(name)}`);
  }
  await c.ping();

  await h.subOk(c, 'x;y');
  const okTrigger = await h.trigger(node, ['x;y'], 'semi', '1', { app: app2 });
  assert.equal(okTrigger.status, 200, okTrigger.text);
  const delivered = await c.waitEvent('semi', 'x;y');
  assert.equal(delivered.rawData, '1');

  const badTrigger = await h.trigger(node, ['bad:name'], 'colon', '1', { app: app2 });
  assert.equal(badTrigger.status, 400, badTrigger.text);
  assert.equal(typeof badTrigger.json?.error, 'string', `error body: ${badTrigger.text}`);
  assert.match(badTrigger.json.error, /bad:name|channel/i);

  const longTrigger = await h.trigger(node, [pad('b10-', 165)], 'long', '1', { app: app2 });
  assert.equal(longTrigger.status, 400, longTrigger.text);
  await h.sleep(WINDOW_MS);
  assert.equal(c.events('colon').length + c.events('long').length, 0);
  await c.close();
});

test('default max_channel_name_length is 200: 200 characters subscribe, 201 are refused', T, async () => {
  const c = await h.open(node);
  const ok200 = pad(h.uniq('len-'), 200);
  const bad201 = pad(h.uniq('len-'), 201);
  await h.subOk(c, ok200);
  const reply = await h.sub(c, bad201);
  h.assertSubscriptionError(reply, bad201);
  assert.ok(c.isOpen);
  const privateOk = pad(h.uniq('private-len-'), 200);
  await h.subOk(c, privateOk);

  const trigger200 = await h.trigger(node, [ok200], 'len', '1');
  assert.equal(trigger200.status, 200, trigger200.text);
  await c.waitEvent('len', ok200);
  const trigger201 = await h.trigger(node, [bad201], 'len', '1');
  assert.equal(trigger201.status, 400, trigger201.text);
  await c.close();
});

test('cache channel: empty cache gives pusher:cache_miss, then the last API event is replayed to new subscribers', T, async () => {
  const channel = h.uniq('cache-');
  const c1 = await h.open(node);
  const ok1 = await h.subOk(c1, channel);
  const miss = await c1.waitEvent('pusher:cache_miss', channel);
  assert.ok(miss.index > ok1.index, 'cache_miss comes after subscription_succeeded');

  await h.triggerOk(node, [channel], 'first', '{"n":1}');
  await h.triggerOk(node, [channel], 'second', '{"n":2}');
  await c1.waitEvent('second', channel);

  const c2 = await h.open(node);
  const ok2 = await h.subOk(c2, channel);
  const replay = await c2.waitEvent('second', channel);
  assert.ok(replay.index > ok2.index, 'the replay comes after subscription_succeeded');
  assert.equal(replay.rawData, '{"n":2}');
  await h.sleep(WINDOW_MS);
  assert.equal(c2.events('first').length, 0, 'only the last event is replayed');
  assert.equal(c2.events('pusher:cache_miss').length, 0, 'no cache_miss when the cache holds an event');
  assert.equal(c2.events('second').length, 1);
  await c1.close();
  await c2.close();
});

test('private-cache channel: cache_miss, then replay of the last API event', T, async () => {
  const channel = h.uniq('private-cache-');
  const c1 = await h.open(node);
  await h.subOk(c1, channel);
  await c1.waitEvent('pusher:cache_miss', channel);
  await h.triggerOk(node, [channel], 'cached', '"v"');
  const c2 = await h.open(node);
  await h.subOk(c2, channel);
  const replay = await c2.waitEvent('cached', channel);
  assert.equal(replay.rawData, '"v"');
  await c1.close();
  await c2.close();
});

test('private-encrypted channel: subscribe, the server forwards the SDK-encrypted payload, pusher-js decrypts it', T, async () => {
  const channel = h.uniq('private-encrypted-');
  const rawClient = await h.open(node);
  await h.subOk(rawClient, channel);

  const js = h.pusherClient(node, { encryptionMasterKeyBase64: MASTER_KEY });
  const jsChannel = js.subscribe(channel);
  await h.once(jsChannel, 'pusher:subscription_succeeded');
  const received = h.once(jsChannel, 'secret-event');

  await h.sdk(node, { encryptionMasterKeyBase64: MASTER_KEY }).trigger(channel, 'secret-event', { msg: 'hi there' });
  assert.deepEqual(await received, { msg: 'hi there' });

  const wire = await rawClient.waitEvent('secret-event', channel);
  assert.equal(typeof wire.rawData, 'string');
  assert.equal(typeof wire.data.nonce, 'string');
  assert.equal(typeof wire.data.ciphertext, 'string');
  assert.equal(wire.rawData.includes('hi there'), false);
  await rawClient.close();
  await h.disconnectPusher(js);
});

test('pusher-js subscribes to public, private and presence channels through its auth handlers', T, async () => {
  const js = h.pusherClient(node, { presence: () => ({ user_id: 'js-user', user_info: { name: 'JS' } }) });
  const names = [h.uniq('news-'), h.uniq('private-'), h.uniq('presence-')];
  const channels = names.map((name) => js.subscribe(name));
  await Promise.all(channels.map((ch) => h.once(ch, 'pusher:subscription_succeeded')));
  const presence = channels[2];
  assert.equal(presence.members.count, 1);
  assert.equal(presence.members.me.id, 'js-user');
  assert.deepEqual(presence.members.me.info, { name: 'JS' });

  const got = names.map((name, i) => h.once(channels[i], 'evt'));
  await h.sdk(node).trigger(names, 'evt', { k: 'v' });
  for (const data of await Promise.all(got)) assert.deepEqual(data, { k: 'v' });
  await h.disconnectPusher(js);
});

test('pusher-js gets pusher:subscription_error when the server refuses its auth', T, async () => {
  const js = h.pusherClient(node, {
    authorize: (params, callback) => callback(null, { auth: `${node.app.key}:${'f'.repeat(64)}` }),
  });
  const channel = h.uniq('private-');
  const ch = js.subscribe(channel);
  const error = await h.once(ch, 'pusher:subscription_error');
  assert.equal(typeof error, 'object');
  assert.ok(error.status === 401 || error.status === 403, `status ${JSON.stringify(error)}`);
  assert.equal(js.connection.state, 'connected');
  await h.disconnectPusher(js);
});

test('subscription_count_events: pusher_internal:subscription_count on every subscribe and unsubscribe, only when enabled', T, async () => {
  const app = node.appById('103');
  const channel = h.uniq('news-');
  const isCount = (n) => (m) =>
    m.event === 'pusher_internal:subscription_count' && m.channel === channel && m.data?.subscription_count === n;

  const c1 = await h.open(node, { app });
  await h.subOk(c1, channel);
  const first = await c1.waitFor(isCount(1), { what: 'subscription_count 1' });
  assert.equal(typeof first.rawData, 'string', 'pusher_internal data is a JSON string');
  assert.deepEqual(first.data, { subscription_count: 1 });

  const c2 = await h.open(node, { app });
  await h.subOk(c2, channel);
  await c1.waitFor(isCount(2), { what: 'subscription_count 2 on c1' });
  await c2.waitFor(isCount(2), { what: 'subscription_count 2 on c2' });

  c2.send({ event: 'pusher:unsubscribe', data: { channel } });
  await c1.waitFor(isCount(1), { what: 'subscription_count 1 after the unsubscribe' });

  // Off by default, and never on presence channels.
  const plain = await h.open(node);
  const plainChannel = h.uniq('news-');
  await h.subOk(plain, plainChannel);
  const presence = h.uniq('presence-');
  await h.subOk(c1, presence, { user: { id: 'counted' } });
  await h.sleep(WINDOW_MS);
  assert.equal(plain.events('pusher_internal:subscription_count').length, 0, 'sent although the app did not enable it');
  assert.equal(c1.events('pusher_internal:subscription_count', presence).length, 0, 'sent on a presence channel');
  await Promise.all([c1.close(), c2.close(), plain.close()]);
});
