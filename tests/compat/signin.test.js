'use strict';

// User authentication: pusher:signin, server-to-user channels, sendToUser, watchlist
// (protocol brief 1.8, 2.4).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const node = useNode({}, 'signin');
const T = { timeout: 60_000 };
const WINDOW_MS = 1_500;

const isWatchlist = (m) => m.event === 'pusher_internal:watchlist_events';
function groups(message) {
  const out = {};
  for (const entry of message.data.events) out[entry.name] = [...(out[entry.name] ?? []), ...entry.user_ids];
  return out;
}

test('pusher:signin with a valid signature gets pusher:signin_success echoing user_data', T, async () => {
  const c = await h.open(node);
  const userData = JSON.stringify({ id: h.uniq('user-'), user_info: { name: 'Ada' }, watchlist: [] });
  const reply = await h.signin(c, userData);
  assert.equal(reply.event, 'pusher:signin_success', reply.raw);
  assert.equal(typeof reply.rawData, 'string', 'pusher:* data is a JSON string');
  assert.equal(reply.data.user_data, userData, 'user_data is echoed exactly');
  await c.close();
});

test('pusher:signin with a bad signature or without a user id is refused with pusher:error', T, async () => {
  const bad = await h.open(node);
  const userData = JSON.stringify({ id: 'mallory' });
  const reply = await h.signin(bad, userData, { auth: `${node.app.key}:${'0'.repeat(64)}` });
  assert.equal(reply.event, 'pusher:error', reply.raw);
  assert.equal(typeof reply.data.message, 'string');
  assert.equal(bad.events('pusher:signin_success').length, 0);

  const otherSocket = await h.open(node);
  const signedForOther = h.userAuth(otherSocket.socketId, userData);
  const stolen = await h.open(node);
  const reply2 = await h.signin(stolen, userData, { auth: signedForOther });
  assert.equal(reply2.event, 'pusher:error', `signature for another socket accepted: ${reply2.raw}`);

  const noId = await h.open(node);
  const reply3 = await h.signin(noId, JSON.stringify({ user_info: { name: 'nobody' } }));
  assert.equal(reply3.event, 'pusher:error', reply3.raw);
  await Promise.all([bad.close(), otherSocket.close(), stolen.close(), noId.close()]);
});

test('a connection signed in as one user cannot sign in as another', T, async () => {
  const c = await h.open(node);
  const first = h.uniq('user-');
  await h.signinOk(c, { id: first });
  const reply = await h.signin(c, { id: h.uniq('user-') });
  assert.equal(reply.event, 'pusher:error', reply.raw);
  await c.close();
});

test('#server-to-user-ID can only be subscribed by a connection signed in as ID', T, async () => {
  const id = h.uniq('user-');
  const channel = `#server-to-user-${id}`;
  const anonymous = await h.open(node);
  h.assertSubscriptionError(await h.sub(anonymous, channel, { auth: '' }), channel);
  assert.ok(anonymous.isOpen);

  const other = await h.open(node);
  await h.signinOk(other, { id: h.uniq('user-') });
  h.assertSubscriptionError(await h.sub(other, channel, { auth: '' }), channel);

  const owner = await h.open(node);
  await h.signinOk(owner, { id });
  await h.subOk(owner, channel, { auth: '' });
  await Promise.all([anonymous.close(), other.close(), owner.close()]);
});

test('sendToUser reaches every signed-in connection of that user and nobody else', T, async () => {
  const id = h.uniq('user-');
  const channel = `#server-to-user-${id}`;
  const tabs = [await h.open(node), await h.open(node)];
  for (const tab of tabs) {
    await h.signinOk(tab, { id });
    await h.subOk(tab, channel, { auth: '' }); // what pusher-js does after signin_success
  }
  const someoneElse = await h.open(node);
  await h.signinOk(someoneElse, { id: h.uniq('user-') });
  const anonymous = await h.open(node);

  const response = await h.sdk(node).sendToUser(id, 'direct', { x: 1 });
  assert.equal(response.status, 200);
  for (const tab of tabs) {
    const m = await tab.waitEvent('direct', channel);
    assert.equal(m.rawData, '{"x":1}');
  }
  await h.sleep(WINDOW_MS);
  for (const tab of tabs) assert.equal(tab.events('direct').length, 1);
  assert.equal(someoneElse.events('direct').length + anonymous.events('direct').length, 0);
  await Promise.all([...tabs, someoneElse, anonymous].map((c) => c.close()));
});

test('pusher-js: signin(), then user.bind receives sendToUser events', T, async () => {
  const id = h.uniq('user-');
  const js = h.pusherClient(node, { user: { id, user_info: { name: 'JS' } } });
  js.signin();
  await h.waitPusherState(js, 'connected');
  await h.withTimeout(js.user.signinDonePromise, 5_000, 'pusher-js signin');
  assert.equal(js.user.user_data?.id, id, 'pusher-js did not get signin_success');
  // The user's server-to-user channel is subscribed by pusher-js after signin_success.
  const serverToUser = js.user.serverToUserChannel;
  if (!serverToUser.subscribed) await h.once(serverToUser, 'pusher:subscription_succeeded');
  const got = h.once(js.user, 'direct');
  await h.sdk(node).sendToUser(id, 'direct', { hello: 'you' });
  assert.deepEqual(await got, { hello: 'you' });
  await h.disconnectPusher(js);
});

test('presence subscribe without channel_data uses the signed-in user', T, async () => {
  const id = h.uniq('user-');
  const c = await h.open(node);
  await h.signinOk(c, { id, user_info: { name: 'Nine' } });
  const channel = h.uniq('presence-');
  const ok = await h.subOk(c, channel, { auth: h.chanAuth(c.socketId, channel) });
  assert.deepEqual(ok.data, { presence: { ids: [id], hash: { [id]: { name: 'Nine' } }, count: 1 } });
  await c.close();
});

test('watchlist: initial status, then online/offline as the watched user signs in and leaves', T, async () => {
  const watched = h.uniq('watched-');
  const watcher = await h.open(node);
  await h.signinOk(watcher, { id: h.uniq('watcher-'), watchlist: [watched] });
  const initial = await watcher.waitFor(isWatchlist, { what: 'the initial watchlist_events' });
  assert.equal(initial.channel, undefined);
  assert.ok((groups(initial).offline ?? []).includes(watched), `initial status: ${initial.raw}`);
  assert.equal((groups(initial).online ?? []).includes(watched), false);

  const tab1 = await h.open(node);
  await h.signinOk(tab1, { id: watched });
  const online = await watcher.waitFor(isWatchlist, { what: 'watchlist_events after the sign-in' });
  assert.deepEqual(groups(online).online, [watched], online.raw);
  assert.equal((groups(online).offline ?? []).length, 0, online.raw);

  const tab2 = await h.open(node);
  await h.signinOk(tab2, { id: watched });
  await tab1.close();
  await h.sleep(WINDOW_MS);
  assert.equal(watcher.messages.filter(isWatchlist).length, 2, 'a second tab or closing one of two is no change');

  await tab2.close();
  const offline = await watcher.waitFor(isWatchlist, { what: 'watchlist_events after the last tab left', timeout: 8_000 });
  assert.deepEqual(groups(offline).offline, [watched], offline.raw);
  assert.equal((groups(offline).online ?? []).length, 0, offline.raw);
  await watcher.close();
});
