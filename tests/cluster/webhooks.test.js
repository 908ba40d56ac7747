'use strict';

// Webhooks in a cluster (field report B28; issue 4, item 5): occupancy and presence webhooks
// describe the cluster, not one node. channel_vacated comes once, when the last subscriber in
// the cluster leaves; a node that fails or leaves takes its members and channels with it, and
// exactly one of the remaining nodes reports them.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../compat/lib/helpers');
const { startSink, isSignedBy } = require('../compat/lib/sink');
const { startCluster, waitForMembers, waitUntil } = require('./lib/cluster');
const { cleanupAll } = require('../compat/lib/cleanup');

const T = { timeout: 120_000 };
// The node waits webhook_leave_delay (1 s here) before reporting a departure.
const SETTLE_MS = 3_000;

async function clusterWithSink(t) {
  const sink = await startSink();
  const nodes = await startCluster(3, { webhook_leave_delay: 1, app: { webhooks: [{ url: sink.url }] } });
  t.after(async () => {
    await cleanupAll();
    await Promise.all(nodes.map((n) => n.stop()));
    await sink.close();
  });
  return { sink, nodes };
}

const eventsOf = (sink, name, channel) =>
  sink.requests.flatMap((r) => r.json?.events ?? []).filter((e) => e.name === name && e.channel === channel);

async function routed(node, channel, count) {
  await waitUntil(`${node.label} to see ${count} subscribers of ${channel}`, async () => {
    const r = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${channel}`, { query: { info: 'subscription_count' } });
    return r.json?.subscription_count === count || r.json;
  });
}

test('channel_occupied and channel_vacated once for a channel with subscribers on two nodes', T, async (t) => {
  const { sink, nodes } = await clusterWithSink(t);
  const [n1, n2] = nodes;
  const channel = h.uniq('room-');
  const c1 = await h.open(n1);
  await h.subOk(c1, channel);
  await routed(n2, channel, 1);
  const c2 = await h.open(n2);
  await h.subOk(c2, channel);
  await routed(n1, channel, 2);

  await c1.close();
  await h.sleep(SETTLE_MS);
  assert.equal(eventsOf(sink, 'channel_vacated', channel).length, 0, 'a subscriber is left on N2');
  await c2.close();
  await sink.waitEvents((e) => e.name === 'channel_vacated' && e.channel === channel);
  await h.sleep(SETTLE_MS);
  assert.equal(eventsOf(sink, 'channel_occupied', channel).length, 1);
  assert.equal(eventsOf(sink, 'channel_vacated', channel).length, 1);
  for (const request of sink.requests) assert.ok(isSignedBy(request, n1.app), 'every webhook is signed');
});

test('a failed node: its member and its last channel are reported once by the survivors', T, async (t) => {
  const { sink, nodes } = await clusterWithSink(t);
  const [n1, n2, n3] = nodes;
  const room = h.uniq('presence-gone-');
  const only = h.uniq('only-n3-');
  const watcher = await h.open(n1);
  await h.subOk(watcher, room, { user: { id: 'watcher', info: {} } });
  const victim = await h.open(n3);
  await h.subOk(victim, room, { user: { id: 'victim', info: {} } });
  await h.subOk(victim, only);
  await routed(n1, only, 1);
  await routed(n2, only, 1);
  await sink.waitEvents((e) => e.name === 'member_added' && e.user_id === 'victim');

  n3.signal('SIGKILL');
  await waitForMembers([n1, n2], 2);
  await sink.waitEvents((e) => e.name === 'member_removed' && e.user_id === 'victim');
  await sink.waitEvents((e) => e.name === 'channel_vacated' && e.channel === only);
  await h.sleep(SETTLE_MS);
  assert.equal(eventsOf(sink, 'member_removed', room).filter((e) => e.user_id === 'victim').length, 1);
  assert.equal(eventsOf(sink, 'channel_vacated', only).length, 1);
  assert.equal(eventsOf(sink, 'channel_vacated', room).length, 0, 'the watcher is still in the room');
});

test('a node stopped with SIGTERM: its members are reported once, by a remaining node', T, async (t) => {
  const { sink, nodes } = await clusterWithSink(t);
  const [n1, , n3] = nodes;
  const room = h.uniq('presence-leaving-');
  const watcher = await h.open(n1);
  await h.subOk(watcher, room, { user: { id: 'watcher', info: {} } });
  const leaver = await h.open(n3);
  await h.subOk(leaver, room, { user: { id: 'leaver', info: {} } });
  await sink.waitEvents((e) => e.name === 'member_added' && e.user_id === 'leaver');

  await n3.stop();
  await sink.waitEvents((e) => e.name === 'member_removed' && e.user_id === 'leaver');
  await h.sleep(SETTLE_MS);
  assert.equal(eventsOf(sink, 'member_removed', room).filter((e) => e.user_id === 'leaver').length, 1);
  const removed = await watcher.waitFor((m) => m.event === 'pusher_internal:member_removed' && m.data?.user_id === 'leaver');
  assert.equal(removed.channel, room);
});
