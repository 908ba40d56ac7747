'use strict';

// Centrifuge history recovery with the unmodified `centrifuge` npm client
// (shared/notes/centrifuge-protocol.md §5 "Recovery rule"). A subscriber's connection goes
// through a TCP relay on 127.0.0.1 that the test cuts; publications made meanwhile (through
// the Pusher HTTP API with the `pusher` SDK, and by another Centrifuge client) must arrive after
// the reconnect exactly once and in order, or, when history cannot cover the gap (overflow,
// TTL, a restarted node with a new epoch), the subscription says recovered:false and nothing
// is replayed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode, startNode } = require('./lib/node');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

const NAMESPACES = [
  // Channels without ':' (reachable by the Pusher HTTP API too) keep 20 publications.
  { name: '', history_size: 20, history_ttl: 300, allow_publish: true },
  { name: 'small', history_size: 3, history_ttl: 300, allow_publish: true },
  { name: 'short', history_size: 10, history_ttl: 2, allow_publish: true },
];
const CONFIG = { app: { namespaces: NAMESPACES } };

const node = useNode(CONFIG, 'centrifuge-recovery');
const T = { timeout: 60_000 };
// Fast reconnects keep the tests short; the client's behaviour is otherwise unchanged.
const RECONNECT = { minReconnectDelay: 100, maxReconnectDelay: 400 };

const tokenFor = (target, sub) => cf.connToken(target.app, { sub });

// A subscriber connected through a relay, subscribed with recoverable:true.
async function relayedSubscriber(target, channel) {
  const relay = await cf.startRelay(target.port);
  const { client } = await cf.cfConnected(target, {
    port: relay.port,
    token: await tokenFor(target, 'reader'),
    label: 'relayed subscriber',
    ...RECONNECT,
  });
  const { sub, ctx } = await cf.cfSubscribed(client, channel, { recoverable: true });
  return { relay, client, sub, ctx };
}

// Publishes one by one and waits for each at a directly connected witness subscriber, so the
// order of publications is fixed whichever path (Pusher HTTP API or Centrifuge) they take.
class Publisher {
  constructor(target, channel, witness, client) {
    this.target = target;
    this.channel = channel;
    this.witness = witness;
    this.client = client;
    this.api = h.sdk(target);
    this.count = 0;
  }

  static async start(target, channel) {
    const { client: witnessClient } = await cf.cfConnected(target, {
      token: await tokenFor(target, 'witness'),
      label: 'witness',
    });
    const { sub: witness } = await cf.cfSubscribed(witnessClient, channel);
    const { client } = await cf.cfConnected(target, { token: await tokenFor(target, 'pub'), label: 'publisher' });
    return new Publisher(target, channel, witness, client);
  }

  async viaApi(n) {
    const response = await this.api.trigger(this.channel, 'api-event', { n });
    assert.equal(response.status, 200);
    await this._witnessed(n);
  }

  async viaCentrifuge(n) {
    assert.deepEqual(await this.client.publish(this.channel, { n }), {});
    await this._witnessed(n);
  }

  async _witnessed(n) {
    await this.witness.log.wait('publication', (p) => p.data && p.data.n === n, {
      what: `the witness receiving n=${n}`,
    });
  }
}

// [offset, n, source] of every publication a subscription received.
function received(sub) {
  return sub.log.all('publication').map((p) => [p.offset, p.data.n, p.info ? p.info.user : `tag:${p.tags && p.tags.event}`]);
}

async function waitReceived(sub, count, timeout = 10_000) {
  await sub.log.until((log) => log.all('publication').length >= count, {
    timeout,
    what: `${count} publication(s)`,
  });
}

async function cutAndWait(relay, client) {
  relay.cut();
  await client.log.wait('connecting', (c) => c.code !== 0, { what: 'the client noticing the cut' });
}

test('recovery: publications missed while cut arrive exactly once, in order; subscribed says recovered', T, async () => {
  const channel = h.uniq('rec-');
  const publisher = await Publisher.start(node, channel);
  const { relay, client, sub, ctx } = await relayedSubscriber(node, channel);
  assert.equal(ctx.recoverable, true);
  assert.equal(ctx.wasRecovering, false);
  assert.equal(ctx.streamPosition.offset, 0);
  const epoch = ctx.streamPosition.epoch;
  assert.ok(typeof epoch === 'string' && epoch.length > 0);

  await publisher.viaApi(1);
  await publisher.viaCentrifuge(2);
  await publisher.viaApi(3);
  await waitReceived(sub, 3);
  assert.deepEqual(received(sub), [
    [1, 1, 'tag:api-event'],
    [2, 2, 'pub'],
    [3, 3, 'tag:api-event'],
  ]);

  await cutAndWait(relay, client);
  await publisher.viaApi(4);
  await publisher.viaCentrifuge(5);
  await publisher.viaApi(6);
  await publisher.viaCentrifuge(7);
  await cf.sleep(2_000);
  relay.restore();

  const again = await sub.log.wait('subscribed', () => true, { timeout: 10_000 });
  assert.equal(again.wasRecovering, true);
  assert.equal(again.recovered, true);
  assert.equal(again.hasRecoveredPublications, true);
  assert.equal(again.streamPosition.epoch, epoch, 'same epoch');
  await waitReceived(sub, 7);
  await publisher.viaCentrifuge(8);
  await waitReceived(sub, 8);
  await cf.sleep(300);
  assert.deepEqual(received(sub), [
    [1, 1, 'tag:api-event'],
    [2, 2, 'pub'],
    [3, 3, 'tag:api-event'],
    [4, 4, 'tag:api-event'],
    [5, 5, 'pub'],
    [6, 6, 'tag:api-event'],
    [7, 7, 'pub'],
    [8, 8, 'pub'],
  ]);
  // The recovered API publications keep their mapping: JSON data, the event name as tag.
  const fourth = sub.log.all('publication')[3];
  assert.deepEqual(fourth.data, { n: 4 });
  assert.deepEqual(fourth.tags, { event: 'api-event' });
  assert.equal(fourth.info, undefined, 'an API publication has no info');
  assert.equal(client.log.all('connected').length, 2, 'one reconnect');
});

test('recovery: a reconnect with nothing missed is recovered with no publications', T, async () => {
  const channel = h.uniq('rec-');
  const publisher = await Publisher.start(node, channel);
  const { relay, client, sub } = await relayedSubscriber(node, channel);
  await publisher.viaApi(1);
  await waitReceived(sub, 1);
  await cutAndWait(relay, client);
  relay.restore();
  const again = await sub.log.wait('subscribed', () => true, { timeout: 10_000 });
  assert.equal(again.wasRecovering, true);
  assert.equal(again.recovered, true);
  assert.equal(again.hasRecoveredPublications, false);
  assert.equal(again.streamPosition.offset, 1);
  await cf.sleep(300);
  assert.deepEqual(received(sub), [[1, 1, 'tag:api-event']]);
});

test('recovery of a server-side subscription (token "channels") through connect.subs', T, async () => {
  const channel = h.uniq('srv-');
  const publisher = await Publisher.start(node, channel);
  const relay = await cf.startRelay(node.port);
  const { client } = await cf.cfConnected(node, {
    port: relay.port,
    token: await cf.connToken(node.app, { sub: 'reader', channels: [channel] }),
    label: 'server-side subscriber',
    ...RECONNECT,
  });
  const first = await client.log.wait('subscribed', (c) => c.channel === channel);
  assert.equal(first.recoverable, true);
  const publications = () => client.log.all('publication').filter((p) => p.channel === channel);
  await publisher.viaApi(1);
  await client.log.until(() => publications().length >= 1, { what: 'publication 1' });

  await cutAndWait(relay, client);
  await publisher.viaCentrifuge(2);
  await publisher.viaApi(3);
  relay.restore();
  const again = await client.log.wait('subscribed', (c) => c.channel === channel, { timeout: 10_000 });
  assert.equal(again.wasRecovering, true);
  assert.equal(again.recovered, true);
  await client.log.until(() => publications().length >= 3, { what: 'publications 2 and 3' });
  await cf.sleep(300);
  assert.deepEqual(
    publications().map((p) => [p.offset, p.data.n]),
    [
      [1, 1],
      [2, 2],
      [3, 3],
    ],
  );
});

test('recovery: more missed than history_size gives recovered:false and no duplicates', T, async () => {
  const channel = `small:${h.uniq('rec')}`;
  const publisher = await Publisher.start(node, channel);
  const { relay, client, sub, ctx } = await relayedSubscriber(node, channel);
  const epoch = ctx.streamPosition.epoch;
  await publisher.viaCentrifuge(1);
  await publisher.viaCentrifuge(2);
  await waitReceived(sub, 2);

  await cutAndWait(relay, client);
  for (let n = 3; n <= 7; n += 1) await publisher.viaCentrifuge(n);
  relay.restore();

  const again = await sub.log.wait('subscribed', () => true, { timeout: 10_000 });
  assert.equal(again.wasRecovering, true);
  assert.equal(again.recovered, false, 'offsets 3 and 4 fell out of a history of 3');
  assert.equal(again.hasRecoveredPublications, false);
  assert.deepEqual(again.streamPosition, { offset: 7, epoch }, 'the position is the current top');
  await publisher.viaCentrifuge(8);
  await waitReceived(sub, 3);
  await cf.sleep(300);
  assert.deepEqual(received(sub), [
    [1, 1, 'pub'],
    [2, 2, 'pub'],
    [8, 8, 'pub'],
  ]);
});

test('recovery: a restarted node (new epoch) gives recovered:false', T, async () => {
  const channel = h.uniq('rec-');
  const first = await startNode(CONFIG, 'recovery-first');
  const { relay, client, sub, ctx } = await relayedSubscriber(first, channel);
  const oldEpoch = ctx.streamPosition.epoch;
  const api1 = h.sdk(first);
  for (const n of [1, 2]) assert.equal((await api1.trigger(channel, 'api-event', { n })).status, 200);
  await waitReceived(sub, 2);

  await first.stop();
  await client.log.wait('connecting', (c) => c.code !== 0, { what: 'the client noticing the stop' });
  const second = await startNode(CONFIG, 'recovery-second');
  relay.restore(second.port);

  const again = await sub.log.wait('subscribed', () => true, { timeout: 15_000 });
  assert.equal(again.wasRecovering, true);
  assert.equal(again.recovered, false);
  assert.equal(again.hasRecoveredPublications, false);
  assert.notEqual(again.streamPosition.epoch, oldEpoch, 'a new node process starts a new epoch');
  assert.equal(again.streamPosition.offset, 0);

  assert.equal((await h.sdk(second).trigger(channel, 'api-event', { n: 3 })).status, 200);
  await waitReceived(sub, 3);
  await cf.sleep(300);
  assert.deepEqual(received(sub), [
    [1, 1, 'tag:api-event'],
    [2, 2, 'tag:api-event'],
    [1, 3, 'tag:api-event'],
  ]);
  await second.stop();
});

test('a stopping node closes Centrifuge connections with 3001 "shutdown" (a reconnect code)', T, async () => {
  const doomed = await startNode(CONFIG, 'recovery-shutdown');
  const { client } = await cf.cfConnected(doomed, { token: await tokenFor(doomed, 'reader'), ...RECONNECT });
  const raw = (await cf.rawConnected(doomed, await tokenFor(doomed, 'raw'))).client;
  await doomed.stop();
  const closed = await raw.waitClose();
  const connecting = await client.log.wait('connecting', (c) => c.code !== 0);
  assert.deepEqual(closed, { code: 3001, reason: 'shutdown' });
  assert.deepEqual({ code: connecting.code, reason: connecting.reason }, { code: 3001, reason: 'shutdown' });
});

test('history TTL: entries older than history_ttl are dropped; the position stays', T, async () => {
  const channel = `short:${h.uniq('ttl')}`;
  const { client } = await cf.cfConnected(node, { token: await tokenFor(node, 'pub') });
  await client.publish(channel, { n: 1 });
  await client.publish(channel, { n: 2 });
  const fresh = await client.history(channel, { limit: -1 });
  assert.deepEqual(
    fresh.publications.map((p) => [p.offset, p.data.n]),
    [
      [1, 1],
      [2, 2],
    ],
  );
  let later;
  for (let i = 0; i < 40; i += 1) {
    await cf.sleep(250);
    later = await client.history(channel, { limit: -1 });
    if (later.publications.length === 0) break;
  }
  assert.deepEqual(later, { publications: [], offset: 2, epoch: fresh.epoch }, 'expired after history_ttl 2 s');
  await client.publish(channel, { n: 3 });
  const after = await client.history(channel, { limit: -1 });
  assert.deepEqual(after.publications.map((p) => [p.offset, p.data.n]), [[3, 3]]);
  assert.equal(after.epoch, fresh.epoch);
});

test('history TTL: a subscriber whose missed publications expired is not recovered', T, async () => {
  const channel = `short:${h.uniq('ttl')}`;
  const publisher = await Publisher.start(node, channel);
  const { relay, client, sub } = await relayedSubscriber(node, channel);
  await publisher.viaCentrifuge(1);
  await waitReceived(sub, 1);
  await cutAndWait(relay, client);
  await publisher.viaCentrifuge(2);
  for (let i = 0; i < 40; i += 1) {
    await cf.sleep(250);
    if ((await publisher.client.history(channel, { limit: -1 })).publications.length === 0) break;
  }
  relay.restore();
  const again = await sub.log.wait('subscribed', () => true, { timeout: 10_000 });
  assert.equal(again.wasRecovering, true);
  assert.equal(again.recovered, false);
  assert.equal(again.streamPosition.offset, 2);
  await cf.sleep(300);
  assert.deepEqual(received(sub), [[1, 1, 'pub']]);
});
