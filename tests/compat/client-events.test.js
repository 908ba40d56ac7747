'use strict';

// Client events: who may send them, where they go, rate limit, per-app switch
// (protocol brief 1.7; B19, B20).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const node = useNode(
  {
    app: { client_events: true, max_client_events_per_second: 10 },
    apps: [{ id: '102', key: 'key2', secret: 'secret2', client_events: false }],
  },
  'client-events',
);
const T = { timeout: 60_000 };
const WINDOW_MS = 2_000;

const clientEvent = (channel, event, data) => ({ event, channel, data });

test('B20: presence client events reach the other connections once with user_id, never the sender', T, async () => {
  const channel = h.uniq('presence-room-');
  const c1 = await h.open(node);
  await h.subOk(c1, channel, { user: { id: 'u1' } });
  const c2 = await h.open(node);
  await h.subOk(c2, channel, { user: { id: 'u2' } });
  const c3 = await h.open(node);
  await h.subOk(c3, channel, { user: { id: 'u1' } });
  // c1 has seen everything about the roster (u2 joined; c3 is u1 again) before we mark.
  await c1.waitFor((m) => m.event === 'pusher_internal:member_added' && m.data?.user_id === 'u2');
  await c1.ping();

  const mark1 = c1.mark();
  c1.send(clientEvent(channel, 'client-typing', { x: 1 }));
  for (const receiver of [c2, c3]) {
    const m = await receiver.waitEvent('client-typing', channel);
    assert.deepEqual(m.json, { event: 'client-typing', channel, data: { x: 1 }, user_id: 'u1' });
  }
  await h.sleep(WINDOW_MS);
  assert.equal(c2.events('client-typing').length, 1);
  assert.equal(c3.events('client-typing').length, 1);
  assert.deepEqual(c1.since(mark1), [], 'the sender got something back');
  await Promise.all([c1.close(), c2.close(), c3.close()]);
});

test('B20: private client events arrive without user_id and are not echoed; data is forwarded as sent', T, async () => {
  const channel = h.uniq('private-');
  const sender = await h.open(node);
  await h.subOk(sender, channel);
  const receiver = await h.open(node);
  await h.subOk(receiver, channel);

  const mark = sender.mark();
  sender.send(clientEvent(channel, 'client-obj', { x: 1, nested: { y: [1, 2] } }));
  sender.send(clientEvent(channel, 'client-str', 'just a string'));
  const obj = await receiver.waitEvent('client-obj', channel);
  assert.deepEqual(obj.json, { event: 'client-obj', channel, data: { x: 1, nested: { y: [1, 2] } } });
  assert.equal('user_id' in obj.json, false);
  const str = await receiver.waitEvent('client-str', channel);
  assert.equal(str.rawData, 'just a string');
  await h.sleep(WINDOW_MS);
  assert.deepEqual(sender.since(mark), []);
  await sender.close();
  await receiver.close();
});

test('B19: client events on channels not joined, public channels, without the client- prefix, or before subscribing are refused', T, async () => {
  const a = h.uniq('private-a-');
  const b = h.uniq('private-b-');
  const c = h.uniq('private-c-');
  const news = h.uniq('news-');
  const c1 = await h.open(node);
  await h.subOk(c1, a);
  await h.subOk(c1, news);
  const c2 = await h.open(node);
  await h.subOk(c2, b);
  await h.subOk(c2, news);
  await h.subOk(c2, c);
  // a third party on private-a to see whether the unprefixed event leaks there
  const c3 = await h.open(node);
  await h.subOk(c3, a);

  const sends = [
    ['not subscribed', clientEvent(b, 'client-x', { n: 1 })],
    ['public channel', clientEvent(news, 'client-x', { n: 2 })],
    ['no client- prefix', clientEvent(a, 'x', { n: 3 })],
  ];
  for (const [what, frame] of sends) {
    const mark = c1.mark();
    c1.send(frame);
    const error = await c1.waitFor((m) => m.index >= mark && m.event === 'pusher:error', { what: `pusher:error for ${what}` });
    assert.equal(typeof error.data.message, 'string', `${what}: ${error.raw}`);
    assert.ok(c1.isOpen, `${what}: sender was disconnected`);
  }

  // The client event is written before the subscribe, in the same tick: the server must not
  // have the subscription yet when it reads the event.
  const mark = c1.mark();
  c1.send(clientEvent(c, 'client-x', { n: 4 }));
  c1.send({ event: 'pusher:subscribe', data: { channel: c, auth: h.chanAuth(c1.socketId, c) } });
  await c1.waitFor((m) => m.index >= mark && m.event === 'pusher:error', { what: 'pusher:error for the early client event' });
  await c1.waitEvent('pusher_internal:subscription_succeeded', c);

  const leaked = await c2.collect(WINDOW_MS);
  assert.deepEqual(
    leaked.filter((m) => m.event?.startsWith('client-') || m.event === 'x'),
    [],
    'a refused client event was delivered',
  );
  assert.equal(c3.events('x').length, 0);

  c1.send(clientEvent(a, 'client-ok', { n: 5 }));
  const ok = await c3.waitEvent('client-ok', a);
  assert.deepEqual(ok.data, { n: 5 });
  await Promise.all([c1.close(), c2.close(), c3.close()]);
});

test('client events on private-encrypted channels are refused', T, async () => {
  const channel = h.uniq('private-encrypted-');
  const sender = await h.open(node);
  await h.subOk(sender, channel);
  const receiver = await h.open(node);
  await h.subOk(receiver, channel);
  sender.send(clientEvent(channel, 'client-x', { n: 1 }));
  const error = await sender.waitEvent('pusher:error');
  assert.equal(typeof error.data.message, 'string');
  assert.ok(sender.isOpen);
  await h.sleep(WINDOW_MS);
  assert.equal(receiver.events('client-x').length, 0);
  await sender.close();
  await receiver.close();
});

test('client events are refused with an error when the app disables them (client_events: false)', T, async () => {
  const app = node.appById('102');
  const channel = h.uniq('private-');
  const sender = await h.open(node, { app });
  await h.subOk(sender, channel);
  const receiver = await h.open(node, { app });
  await h.subOk(receiver, channel);
  sender.send(clientEvent(channel, 'client-x', { n: 1 }));
  const error = await sender.waitEvent('pusher:error');
  assert.equal(typeof error.data.message, 'string');
  assert.ok(sender.isOpen);
  await h.sleep(WINDOW_MS);
  assert.equal(receiver.events('client-x').length, 0);
  await sender.close();
  await receiver.close();
});

test('rate limit: the 11th client event within a second gets pusher:error 4301, the socket stays open', T, async () => {
  const channel = h.uniq('private-');
  const sender = await h.open(node);
  await h.subOk(sender, channel);
  const receiver = await h.open(node);
  await h.subOk(receiver, channel);

  for (let i = 1; i <= 11; i += 1) sender.send(clientEvent(channel, 'client-burst', { i }));
  const error = await sender.waitFor((m) => m.event === 'pusher:error' && m.data?.code === 4301, {
    what: 'pusher:error 4301',
  });
  assert.equal(typeof error.data.message, 'string');
  await h.sleep(WINDOW_MS);
  const delivered = receiver.events('client-burst', channel).map((m) => m.data.i);
  assert.deepEqual(delivered, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(sender.events('pusher:error').length, 1);
  assert.ok(sender.isOpen);

  // The limit is per second: after a pause the sender can send again.
  await h.sleep(2_500);
  sender.send(clientEvent(channel, 'client-later', { ok: true }));
  await receiver.waitEvent('client-later', channel);
  await sender.close();
  await receiver.close();
});

test('client events are never cached on cache channels', T, async () => {
  const channel = h.uniq('private-cache-');
  const sender = await h.open(node);
  await h.subOk(sender, channel);
  await sender.waitEvent('pusher:cache_miss', channel);
  sender.send(clientEvent(channel, 'client-note', { n: 1 }));
  await sender.ping();
  const late = await h.open(node);
  await h.subOk(late, channel);
  await late.waitEvent('pusher:cache_miss', channel);
  assert.equal(late.events('client-note').length, 0);
  await sender.close();
  await late.close();
});

test('pusher-js: channel.trigger on a presence channel reaches the other client with metadata.user_id', T, async () => {
  const channel = h.uniq('presence-');
  const a = h.pusherClient(node, { presence: () => ({ user_id: 'ann', user_info: {} }) });
  const b = h.pusherClient(node, { presence: () => ({ user_id: 'ben', user_info: {} }) });
  const chA = a.subscribe(channel);
  const chB = b.subscribe(channel);
  await Promise.all([h.once(chA, 'pusher:subscription_succeeded'), h.once(chB, 'pusher:subscription_succeeded')]);
  const got = h.onceArgs(chB, 'client-wave');
  assert.equal(chA.trigger('client-wave', { hi: 1 }), true);
  const [data, metadata] = await got;
  assert.deepEqual(data, { hi: 1 });
  assert.equal(metadata.user_id, 'ann');
  await h.disconnectPusher(a);
  await h.disconnectPusher(b);
});
