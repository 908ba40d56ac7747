'use strict';

// laravel-echo 2.x (broadcasters 'reverb' and 'pusher', both pusher-js underneath) against the
// node, with a custom authorizer that signs locally with the `pusher` SDK (protocol brief 1.11).

const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { useNode, HOST } = require('./lib/node');
const { track } = require('./lib/cleanup');
const h = require('./lib/helpers');

const node = useNode({ app: { client_events: true } }, 'echo');
const T = { timeout: 60_000 };
const MASTER_KEY = Buffer.alloc(32, 9).toString('base64');

let Echo;
before(async () => {
  // laravel-echo ships ESM only in practice (require() yields an empty module on Node 20).
  Echo = (await import('laravel-echo')).default;
  assert.equal(typeof Echo, 'function', 'laravel-echo default export');
});

// An Echo instance whose authorizer signs with the SDK. `user` is the presence member;
// `badAuth` makes the authorizer hand out a wrong signature.
function makeEcho({ broadcaster = 'reverb', user, badAuth = false } = {}) {
  const signer = h.sdk(node, { encryptionMasterKeyBase64: MASTER_KEY });
  const echo = new Echo({
    broadcaster,
    key: node.app.key,
    wsHost: HOST,
    wsPort: node.port,
    wssPort: node.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: '',
    Pusher: h.PusherJS,
    withoutInterceptors: true,
    authorizer: (channel) => ({
      authorize: (socketId, callback) => {
        try {
          if (badAuth) {
            callback(null, { auth: `${node.app.key}:${'a'.repeat(64)}` });
            return;
          }
          const presenceData = channel.name.startsWith('presence-') ? user : undefined;
          callback(null, signer.authorizeChannel(socketId, channel.name, presenceData));
        } catch (error) {
          callback(error, null);
        }
      },
    }),
  });
  track(() => h.disconnectPusher(echo.connector.pusher));
  return echo;
}

const connected = (echo) => h.waitPusherState(echo.connector.pusher, 'connected');

// Resolves with the first value an Echo callback registration produces.
function firstCall(register, timeout = 5_000, what = 'callback') {
  return h.withTimeout(new Promise((resolve) => register(resolve)), timeout, `Echo ${what}`);
}

test('Echo (reverb) private(x).listen receives a Laravel-style namespaced event', T, async () => {
  const echo = makeEcho();
  await connected(echo);
  const name = h.uniq('orders-');
  const channel = echo.private(name);
  await firstCall((done) => channel.subscribed(done), 5_000, 'subscribed');
  const got = firstCall((done) => channel.listen('OrderShipped', done), 5_000, 'listen');
  await h.sdk(node).trigger(`private-${name}`, 'App\\Events\\OrderShipped', { id: 7 });
  assert.deepEqual(await got, { id: 7 });
  echo.disconnect();
});

test('Echo (pusher) public channel with a dot-prefixed event name, and toOthers via socket_id', T, async () => {
  const me = makeEcho({ broadcaster: 'pusher' });
  const other = makeEcho({ broadcaster: 'pusher' });
  await Promise.all([connected(me), connected(other)]);
  const name = h.uniq('public-');
  const mine = me.channel(name);
  const theirs = other.channel(name);
  await Promise.all([
    firstCall((done) => mine.subscribed(done), 5_000, 'subscribed'),
    firstCall((done) => theirs.subscribed(done), 5_000, 'subscribed'),
  ]);
  const seenByMe = [];
  mine.listen('.status', (data) => seenByMe.push(data));
  const got = firstCall((done) => theirs.listen('.status', done), 5_000, 'listen');
  await h.sdk(node).trigger(name, 'status', { up: true }, { socket_id: me.socketId() });
  assert.deepEqual(await got, { up: true });
  await h.sleep(1_000);
  assert.deepEqual(seenByMe, [], 'toOthers: the excluded socket got the event');
  me.disconnect();
  other.disconnect();
});

test('Echo join(x): here, joining and leaving', T, async () => {
  const name = h.uniq('room-');
  const alice = makeEcho({ user: { user_id: 'alice', user_info: { name: 'Alice' } } });
  await connected(alice);
  const aliceRoom = alice.join(name);
  const hereAlice = await firstCall((done) => aliceRoom.here(done), 5_000, 'here');
  assert.deepEqual(hereAlice, [{ name: 'Alice' }]);
  const joining = firstCall((done) => aliceRoom.joining(done), 5_000, 'joining');

  const bob = makeEcho({ user: { user_id: 'bob', user_info: { name: 'Bob' } } });
  await connected(bob);
  const bobRoom = bob.join(name);
  const hereBob = await firstCall((done) => bobRoom.here(done), 5_000, 'here');
  assert.deepEqual(
    [...hereBob].sort((x, y) => x.name.localeCompare(y.name)),
    [{ name: 'Alice' }, { name: 'Bob' }],
  );
  assert.deepEqual(await joining, { name: 'Bob' });

  const leaving = firstCall((done) => aliceRoom.leaving(done), 8_000, 'leaving');
  bob.leave(name);
  assert.deepEqual(await leaving, { name: 'Bob' });
  alice.disconnect();
  bob.disconnect();
});

test('Echo whisper / listenForWhisper on a presence channel', T, async () => {
  const name = h.uniq('chat-');
  const a = makeEcho({ user: { user_id: 'a', user_info: {} } });
  const b = makeEcho({ user: { user_id: 'b', user_info: {} } });
  await Promise.all([connected(a), connected(b)]);
  const roomA = a.join(name);
  const roomB = b.join(name);
  await Promise.all([
    firstCall((done) => roomA.here(done), 5_000, 'here'),
    firstCall((done) => roomB.here(done), 5_000, 'here'),
  ]);
  const heardByA = [];
  roomA.listenForWhisper('typing', (data) => heardByA.push(data));
  const heard = firstCall((done) => roomB.listenForWhisper('typing', done), 5_000, 'listenForWhisper');
  roomA.whisper('typing', { typing: true });
  assert.deepEqual(await heard, { typing: true });
  await h.sleep(1_000);
  assert.deepEqual(heardByA, [], 'a whisper came back to its sender');
  a.disconnect();
  b.disconnect();
});

test('Echo private(x).whisper reaches another private subscriber', T, async () => {
  const name = h.uniq('priv-');
  const a = makeEcho();
  const b = makeEcho();
  await Promise.all([connected(a), connected(b)]);
  const chA = a.private(name);
  const chB = b.private(name);
  await Promise.all([
    firstCall((done) => chA.subscribed(done), 5_000, 'subscribed'),
    firstCall((done) => chB.subscribed(done), 5_000, 'subscribed'),
  ]);
  const heard = firstCall((done) => chB.listenForWhisper('ping', done), 5_000, 'listenForWhisper');
  chA.whisper('ping', { n: 1 });
  assert.deepEqual(await heard, { n: 1 });
  a.disconnect();
  b.disconnect();
});

test('Echo .error() fires when the node refuses the authorizer\'s signature', T, async () => {
  const echo = makeEcho({ badAuth: true });
  await connected(echo);
  const error = await firstCall((done) => echo.private(h.uniq('denied-')).error(done), 5_000, 'error');
  assert.equal(typeof error, 'object');
  assert.ok(error.status === 401 || error.status === 403, `error payload: ${JSON.stringify(error)}`);
  assert.equal(echo.connector.pusher.connection.state, 'connected', 'a refused channel must not drop the connection');
  echo.disconnect();
});

test('Echo encryptedPrivate(x).listen decrypts an SDK-encrypted event', T, async () => {
  const echo = makeEcho();
  await connected(echo);
  const name = h.uniq('vault-');
  const channel = echo.encryptedPrivate(name);
  await firstCall((done) => channel.subscribed(done), 5_000, 'subscribed');
  const got = firstCall((done) => channel.listen('.sealed', done), 5_000, 'listen');
  await h.sdk(node, { encryptionMasterKeyBase64: MASTER_KEY }).trigger(`private-encrypted-${name}`, 'sealed', { s: 'x' });
  assert.deepEqual(await got, { s: 'x' });
  echo.disconnect();
});
