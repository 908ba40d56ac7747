'use strict';

// A network cut between two nodes (issue 4, "How it is shown"): each node reaches the other
// only through a TCP relay the test controls (each advertises its relay's address). Cutting
// both relays splits the cluster; each side declares the other dead and keeps serving its own
// clients. Restoring them heals the cluster: the nodes find each other again, exchange their
// shares, and publications flow both ways again with no duplicate delivery.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const h = require('../compat/lib/helpers');
const cf = require('../compat/lib/centrifuge');
const { DNotifierNode } = require('../compat/lib/node');
const { cleanupAll } = require('../compat/lib/cleanup');
const { waitForMembers, waitUntil } = require('./lib/cluster');

const T = { timeout: 120_000 };
const QUIET_MS = 700;
const isTick = (channel) => (m) => m.event === 'tick' && m.channel === channel;

async function interestSeen(node, channel, count) {
  await waitUntil(`${node.label} to see ${count} subscribers of ${channel}`, async () => {
    const r = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${channel}`, { query: { info: 'subscription_count' } });
    return r.json?.subscription_count === count || r.json;
  });
}

async function users(node, channel) {
  const r = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${channel}/users`);
  return r.json.users.map((u) => u.id).sort();
}

test('a cut splits the cluster, both sides keep serving, the healed cluster delivers once', T, async (t) => {
  const secret = crypto.randomBytes(24).toString('base64url');
  // Relays first: each node must know the address it advertises before it starts.
  const relays = [await cf.startRelay(1), await cf.startRelay(1)];
  const nodes = [];
  t.after(async () => {
    await cleanupAll();
    await Promise.all(nodes.map((n) => n.stop()));
  });
  for (const [i, relay] of relays.entries()) {
    const seeds = i === 0 ? [] : [`127.0.0.1:${relays[0].port}`];
    const node = new DNotifierNode(
      { cluster_secret: secret, seeds, advertise: `127.0.0.1:${relay.port}`, node_name: `N${i + 1}` },
      `N${i + 1}`,
    );
    nodes.push(node);
    await node.start();
    relay.restore(node.peerPort);
  }
  const [n1, n2] = nodes;
  await waitForMembers(nodes, 2);

  const channel = h.uniq('cut-');
  const room = h.uniq('presence-cut-');
  const c1 = await h.open(n1);
  await h.subOk(c1, channel);
  await h.subOk(c1, room, { user: { id: 'u1', info: {} } });
  const c2 = await h.open(n2);
  await h.subOk(c2, channel);
  await h.subOk(c2, room, { user: { id: 'u2', info: {} } });
  await interestSeen(n1, channel, 2);
  await interestSeen(n2, channel, 2);

  await h.triggerOk(n1, channel, 'tick', 'before');
  for (const c of [c1, c2]) await c.waitFor((m) => isTick(channel)(m) && m.data === 'before');

  for (const relay of relays) relay.cut();
  await waitForMembers(nodes, 1);
  t.diagnostic('both sides declared the other dead');
  await c1.waitFor((m) => m.event === 'pusher_internal:member_removed' && m.data?.user_id === 'u2');
  assert.deepEqual(await users(n1, room), ['u1']);
  // Each side still serves its own clients.
  await h.triggerOk(n1, channel, 'tick', 'during-1');
  await h.triggerOk(n2, channel, 'tick', 'during-2');
  await c1.waitFor((m) => isTick(channel)(m) && m.data === 'during-1');
  await c2.waitFor((m) => isTick(channel)(m) && m.data === 'during-2');

  for (const [i, relay] of relays.entries()) relay.restore(nodes[i].peerPort);
  await waitForMembers(nodes, 2, 30_000);
  t.diagnostic('the cluster healed');
  await interestSeen(n1, channel, 2);
  await interestSeen(n2, channel, 2);
  await waitUntil('N1 to list u2 again', async () => JSON.stringify(await users(n1, room)) === '["u1","u2"]');
  await c1.waitFor((m) => m.event === 'pusher_internal:member_added' && m.data?.user_id === 'u2');

  // One at a time: two publishers have no order between them.
  for (const [node, data] of [[n1, 'after-1'], [n2, 'after-2']]) {
    await h.triggerOk(node, channel, 'tick', data);
    for (const c of [c1, c2]) await c.waitFor((m) => isTick(channel)(m) && m.data === data);
  }
  await h.sleep(QUIET_MS);
  const seen = (c) => c.messages.filter(isTick(channel)).map((m) => m.data);
  assert.deepEqual(seen(c1), ['before', 'during-1', 'after-1', 'after-2']);
  assert.deepEqual(seen(c2), ['before', 'during-2', 'after-1', 'after-2']);
});
