'use strict';

// Pusher and Centrifuge clients on the same channel of the same node
// (node/delivery/crossprotocol.cpp): Pusher API data that is valid JSON reaches Centrifuge as
// JSON, other text as a JSON string, with the Pusher event name as the tag "event"; Centrifuge
// publications reach Pusher clients as event "message" with the JSON text as data. Centrifuge
// publishers receive their own publication; Pusher client-event senders do not.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

// Channels without ':' are in the default namespace: let Centrifuge clients publish there.
const node = useNode({ app: { namespaces: [{ name: '', allow_publish: true }] } }, 'cross-protocol');
const APP = node.app;
const T = { timeout: 60_000 };
const QUIET_MS = 500;

// A pusher-js client subscribed to `channel`; every event it gets on the channel is logged.
async function pusherJsOn(channel, label = 'pusher-js') {
  const client = h.pusherClient(node);
  const chan = client.subscribe(channel);
  await h.once(chan, 'pusher:subscription_succeeded', 10_000);
  const events = [];
  chan.bind_global((event, data) => {
    if (!event.startsWith('pusher:')) events.push({ event, data });
  });
  return { client, chan, events, label, socketId: client.connection.socket_id };
}

async function centrifugeOn(channel, { user = 'cf-user', token } = {}) {
  const { client, ctx } = await cf.cfConnected(node, { token: await cf.connToken(APP, { sub: user }), label: user });
  const { sub } = await cf.cfSubscribed(client, channel, token ? { token: await token(user) } : {});
  return { client, sub, clientId: ctx.client };
}

function waitPusherEvent(subscriber, event, count = 1) {
  return new Promise((resolve, reject) => {
    const check = () => subscriber.events.filter((e) => e.event === event).length >= count;
    if (check()) return resolve();
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`${subscriber.label}: no "${event}" x${count}; got ${JSON.stringify(subscriber.events)}`));
    }, 5_000);
    const poll = setInterval(() => {
      if (check()) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
  });
}

test('a Pusher HTTP API trigger reaches pusher-js and centrifuge-js subscribers with the payload mapped', T, async () => {
  const channel = h.uniq('x-');
  const pj = await pusherJsOn(channel);
  const raw = await h.open(node);
  await h.subOk(raw, channel);
  const { sub } = await centrifugeOn(channel);
  const api = h.sdk(node);

  assert.equal((await api.trigger(channel, 'greet', { text: 'hi', n: 1 })).status, 200);
  assert.equal((await api.trigger(channel, 'plain', 'hello world')).status, 200);
  assert.equal((await api.trigger(channel, 'arr', '[1,2,3]')).status, 200);
  await sub.log.until((log) => log.all('publication').length >= 3, { what: 'three publications' });
  await waitPusherEvent(pj, 'arr');
  await raw.waitEvent('arr', channel);

  assert.deepEqual(sub.log.all('publication'), [
    { channel, data: { text: 'hi', n: 1 }, tags: { event: 'greet' } },
    { channel, data: 'hello world', tags: { event: 'plain' } },
    { channel, data: [1, 2, 3], tags: { event: 'arr' } },
  ]);
  assert.deepEqual(pj.events, [
    { event: 'greet', data: { text: 'hi', n: 1 } },
    { event: 'plain', data: 'hello world' },
    { event: 'arr', data: [1, 2, 3] },
  ]);
  assert.deepEqual(
    raw.messages.filter((m) => m.channel === channel && !m.event.startsWith('pusher')).map((m) => [m.event, m.rawData]),
    [
      ['greet', '{"text":"hi","n":1}'],
      ['plain', 'hello world'],
      ['arr', '[1,2,3]'],
    ],
  );
});

test('a centrifuge-js publish reaches pusher-js as event "message" with the JSON text as data', T, async () => {
  const channel = h.uniq('x-');
  const pj = await pusherJsOn(channel);
  const raw = await h.open(node);
  await h.subOk(raw, channel);
  const { client, sub, clientId } = await centrifugeOn(channel, { user: 'writer' });

  assert.deepEqual(await sub.publish({ a: 'from centrifuge', b: 2 }), {});
  await waitPusherEvent(pj, 'message');
  const atRaw = await raw.waitEvent('message', channel);
  assert.deepEqual(pj.events, [{ event: 'message', data: { a: 'from centrifuge', b: 2 } }]);
  assert.equal(atRaw.rawData, '{"a":"from centrifuge","b":2}', 'data is the JSON text, as a string');
  // The publisher itself receives it too, with its info.
  const own = await sub.log.wait('publication');
  assert.deepEqual(own, {
    channel,
    data: { a: 'from centrifuge', b: 2 },
    info: { client: clientId, user: 'writer' },
  });
  await cf.sleep(QUIET_MS);
  assert.equal(sub.log.all('publication').length, 1);
  assert.equal(pj.events.length, 1);
  assert.equal(client.state, 'connected');
});

test('a centrifuge-js publish reaches Pusher subscribers byte for byte (key order kept)', T, async () => {
  const channel = h.uniq('x-');
  const raw = await h.open(node);
  await h.subOk(raw, channel);
  const { sub } = await centrifugeOn(channel);
  // centrifuge-js sends JSON.stringify(data): {"z":1,"a":{"y":2,"b":3}}
  await sub.publish({ z: 1, a: { y: 2, b: 3 } });
  const atRaw = await raw.waitEvent('message', channel);
  assert.equal(atRaw.rawData, '{"z":1,"a":{"y":2,"b":3}}');
});

test('a Pusher client event on a private channel reaches a Centrifuge subscriber holding a subscription token', T, async () => {
  const channel = `private-${h.uniq('x-')}`;
  const sender = await pusherJsOn(channel, 'sender');
  const other = await pusherJsOn(channel, 'other pusher-js');
  const subToken = (user) => cf.subToken(APP, { sub: user, channel });
  const { sub } = await centrifugeOn(channel, { user: 'watcher', token: subToken });

  assert.equal(sender.chan.trigger('client-typing', { who: 'pusher-js', n: 1 }), true);
  const pub = await sub.log.wait('publication');
  assert.deepEqual(pub, {
    channel,
    data: { who: 'pusher-js', n: 1 },
    info: { client: sender.socketId, user: undefined },
    tags: { event: 'client-typing' },
  });
  await waitPusherEvent(other, 'client-typing');
  assert.deepEqual(other.events, [{ event: 'client-typing', data: { who: 'pusher-js', n: 1 } }]);
  await cf.sleep(QUIET_MS);
  assert.deepEqual(sender.events, [], 'the sender of a client event does not get it back');
  assert.equal(sub.log.all('publication').length, 1);
});

test('echo: a Centrifuge publisher gets its own publication, a Pusher client-event sender does not', T, async () => {
  const channel = `private-${h.uniq('x-')}`;
  const pusherSide = await pusherJsOn(channel, 'pusher side');
  const subToken = (user) => cf.subToken(APP, { sub: user, channel });
  const { sub, clientId } = await centrifugeOn(channel, { user: 'cf-side', token: subToken });

  // Centrifuge -> both, including the publisher.
  await sub.publish({ from: 'centrifuge' });
  const own = await sub.log.wait('publication');
  assert.deepEqual(own, { channel, data: { from: 'centrifuge' }, info: { client: clientId, user: 'cf-side' } });
  await waitPusherEvent(pusherSide, 'message');

  // Pusher client event -> the Centrifuge subscriber only.
  pusherSide.chan.trigger('client-ping', { from: 'pusher' });
  const fromPusher = await sub.log.wait('publication');
  assert.deepEqual(fromPusher.data, { from: 'pusher' });
  assert.deepEqual(fromPusher.tags, { event: 'client-ping' });
  await cf.sleep(QUIET_MS);
  assert.deepEqual(pusherSide.events, [{ event: 'message', data: { from: 'centrifuge' } }], 'no client-ping echo');
  assert.equal(sub.log.all('publication').length, 2, 'exactly one own publication and one from Pusher');
});
