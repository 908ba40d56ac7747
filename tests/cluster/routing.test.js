'use strict';

// Interest routing across three nodes (issue 4, item 3): a publication accepted by one node
// reaches the subscribers on the others exactly once, in the publisher's order, and crosses a
// peer link only toward a node that announced subscribers for its channel.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../compat/lib/helpers');
const cf = require('../compat/lib/centrifuge');
const { useCluster, metrics, waitUntil } = require('./lib/cluster');

const nodes = useCluster(3, { app: { namespaces: [{ name: '', allow_publish: true }] } });
const T = { timeout: 90_000 };
// Long enough for a stray duplicate or late copy to show up after the last expected message.
const QUIET_MS = 700;

const isEvent = (channel, name) => (m) => m.event === name && m.channel === channel;

// Subscribing is announced to peers asynchronously: wait until `publisher` routes the channel
// to every node listed, seen from the channel's cluster-wide subscription count.
async function interestSeen(publisher, channel, count) {
  await waitUntil(`${publisher.label} to see ${count} subscribers of ${channel}`, async () => {
    const response = await h.api(publisher, 'GET', `/apps/${publisher.app.id}/channels/${channel}`, {
      query: { info: 'subscription_count' },
    });
    return response.json?.subscription_count === count || response.json;
  });
}

test('a publication on N1 reaches subscribers on N2 and N3 exactly once, and N1 forwards it once per node', T, async () => {
  const [n1, n2, n3] = nodes;
  const channel = h.uniq('route-');
  const onN2 = await h.open(n2);
  await h.subOk(onN2, channel);
  const onN3 = await h.open(n3);
  await h.subOk(onN3, channel);
  const alsoN3 = await h.open(n3);
  await h.subOk(alsoN3, channel);
  await interestSeen(n1, channel, 3);
  const sentBefore = (await metrics(n1)).dnotifier_peer_publications_sent_total;

  await h.triggerOk(n1, channel, 'hello', 'one');
  for (const client of [onN2, onN3, alsoN3]) {
    const got = await client.waitFor(isEvent(channel, 'hello'));
    assert.equal(got.data, 'one');
  }
  await h.sleep(QUIET_MS);
  for (const client of [onN2, onN3, alsoN3]) {
    assert.equal(client.messages.filter(isEvent(channel, 'hello')).length, 1, `${client.label} got it once`);
  }
  // Two subscribers on N3 still cost one copy over the N1-N3 link.
  assert.equal((await metrics(n1)).dnotifier_peer_publications_sent_total - sentBefore, 2);
});

test('a node without subscribers for the channel receives nothing for it', T, async () => {
  const [n1, n2, n3] = nodes;
  const channel = h.uniq('only-n2-');
  const onN2 = await h.open(n2);
  await h.subOk(onN2, channel);
  await interestSeen(n1, channel, 1);
  const n3Before = (await metrics(n3)).dnotifier_peer_publications_received_total;
  const n2Before = (await metrics(n2)).dnotifier_peer_publications_received_total;

  for (let i = 0; i < 20; ++i) await h.triggerOk(n1, channel, 'tick', String(i));
  await onN2.waitFor((m) => isEvent(channel, 'tick')(m) && String(m.data) === '19');
  await h.sleep(QUIET_MS);
  assert.equal((await metrics(n3)).dnotifier_peer_publications_received_total - n3Before, 0);
  assert.equal((await metrics(n2)).dnotifier_peer_publications_received_total - n2Before, 20);
});

test("one publisher's order is kept across the link", T, async () => {
  const [n1, n2] = nodes;
  const channel = h.uniq('order-');
  const onN2 = await h.open(n2);
  await h.subOk(onN2, channel);
  await interestSeen(n1, channel, 1);
  const publisher = h.sdk(n1);
  const count = 200;
  // Sequential requests: each is accepted before the next is sent.
  for (let i = 0; i < count; ++i) await publisher.trigger(channel, 'seq', String(i));
  await onN2.waitFor((m) => isEvent(channel, 'seq')(m) && String(m.data) === String(count - 1));
  const received = onN2.messages.filter(isEvent(channel, 'seq')).map((m) => Number(m.data));
  assert.deepEqual(received, Array.from({ length: count }, (_, i) => i));
});

test('unsubscribing withdraws the interest: the publisher stops forwarding', T, async () => {
  const [n1, n2] = nodes;
  const channel = h.uniq('withdraw-');
  const onN2 = await h.open(n2);
  await h.subOk(onN2, channel);
  await interestSeen(n1, channel, 1);
  onN2.send({ event: 'pusher:unsubscribe', data: { channel } });
  await interestSeen(n1, channel, 0);
  const before = (await metrics(n1)).dnotifier_peer_publications_sent_total;
  await h.triggerOk(n1, channel, 'late', 'x');
  await h.sleep(QUIET_MS);
  assert.equal((await metrics(n1)).dnotifier_peer_publications_sent_total - before, 0);
  assert.equal(onN2.messages.filter(isEvent(channel, 'late')).length, 0);
});

test('client events cross nodes to pusher-js and are never echoed', T, async () => {
  const [n1, n2] = nodes;
  const channel = h.uniq('private-notes-');
  const sender = await h.open(n1);
  await h.subOk(sender, channel);
  const pusherJs = h.pusherClient(n2);
  const chan = pusherJs.subscribe(channel);
  await h.once(chan, 'pusher:subscription_succeeded', 10_000);
  const received = [];
  chan.bind('client-note', (data) => received.push(data));
  await interestSeen(n1, channel, 2);

  sender.send({ event: 'client-note', channel, data: { n: 1 } });
  await waitUntil('pusher-js on N2 to get the client event', () => received.length === 1 || received);
  assert.deepEqual(received, [{ n: 1 }]);
  await h.sleep(QUIET_MS);
  assert.equal(received.length, 1);
  assert.equal(sender.messages.filter(isEvent(channel, 'client-note')).length, 0, 'never echoed to the sender');
});

test('a Centrifuge publication on N3 reaches Pusher clients on N1 and N2, and centrifuge-js gets API events', T, async () => {
  const [n1, n2, n3] = nodes;
  const channel = h.uniq('mixed-');
  const onN1 = await h.open(n1);
  await h.subOk(onN1, channel);
  const onN2 = await h.open(n2);
  await h.subOk(onN2, channel);
  const { client } = await cf.cfConnected(n3, { token: await cf.connToken(n3.app, { sub: 'cf-user' }) });
  const { sub } = await cf.cfSubscribed(client, channel);
  await interestSeen(n3, channel, 3);
  await interestSeen(n1, channel, 3);

  await sub.publish({ from: 'cf' });
  for (const pusher of [onN1, onN2]) {
    const got = await pusher.waitFor(isEvent(channel, 'message'));
    assert.deepEqual(got.data, { from: 'cf' });
  }
  await h.triggerOk(n1, channel, 'from-api', '{"k":2}');
  const publication = await sub.log.wait('publication', (ctx) => ctx.data?.k === 2);
  assert.deepEqual(publication.data, { k: 2 });
  await h.sleep(QUIET_MS);
  assert.equal(onN1.messages.filter(isEvent(channel, 'message')).length, 1);
  assert.equal(onN2.messages.filter(isEvent(channel, 'message')).length, 1);
  assert.equal(sub.log.entries.filter((e) => e.event === 'publication').length, 2, 'its own and the API event');
});
