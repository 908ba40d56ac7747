'use strict';

// Cluster-wide presence (issue 4, item 5; field report B04): the roster of a presence channel
// is the union of every node's members; a user connected to two nodes is one member; joins
// and leaves reach every node's subscribers once.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../compat/lib/helpers');
const { useCluster, waitUntil } = require('./lib/cluster');

const nodes = useCluster(3);
const T = { timeout: 90_000 };
const QUIET_MS = 1_000;

const isAdded = (channel, userId) => (m) =>
  m.event === 'pusher_internal:member_added' && m.channel === channel && m.data?.user_id === userId;
const isRemoved = (channel, userId) => (m) =>
  m.event === 'pusher_internal:member_removed' && m.channel === channel && m.data?.user_id === userId;

async function users(node, channel) {
  const response = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${channel}/users`);
  assert.equal(response.status, 200, response.text);
  return response.json.users.map((u) => u.id).sort();
}

async function usersAre(node, channel, expected) {
  await waitUntil(`${node.label} to list ${expected} in ${channel}`, async () => {
    const listed = await users(node, channel);
    return JSON.stringify(listed) === JSON.stringify(expected) || listed;
  });
}

async function join(node, channel, userId, info = {}) {
  const client = await h.open(node);
  const ok = await h.subOk(client, channel, { user: { id: userId, info } });
  return { client, ok };
}

test('members on different nodes form one roster; a second connection of a user adds nobody', T, async () => {
  const [n1, n2, n3] = nodes;
  const channel = h.uniq('presence-room-');
  const { client: a } = await join(n1, channel, 'uA', { name: 'Ada' });
  const { client: watcher } = await join(n3, channel, 'uW');
  await usersAre(n2, channel, ['uA', 'uW']);

  const { client: b, ok } = await join(n2, channel, 'uB', { name: 'Bob' });
  assert.equal(ok.data.presence.count, 3);
  assert.deepEqual([...ok.data.presence.ids].sort(), ['uA', 'uB', 'uW']);
  assert.deepEqual(ok.data.presence.hash.uA, { name: 'Ada' });

  const added = await a.waitFor(isAdded(channel, 'uB'));
  assert.deepEqual(added.data, { user_id: 'uB', user_info: { name: 'Bob' } });
  await watcher.waitFor(isAdded(channel, 'uB'));
  for (const node of nodes) await usersAre(node, channel, ['uA', 'uB', 'uW']);
  const count = await h.api(n1, 'GET', `/apps/${n1.app.id}/channels/${channel}`, { query: { info: 'user_count' } });
  assert.equal(count.json.user_count, 3);

  // uB again, this time through N1: still one member everywhere.
  const { client: b2 } = await join(n1, channel, 'uB', { name: 'Bob' });
  await h.sleep(QUIET_MS);
  for (const client of [a, watcher]) {
    assert.equal(client.messages.filter(isAdded(channel, 'uB')).length, 1, `${client.label}: one member_added`);
  }

  // Closing one of uB's connections removes nobody; closing the last removes uB once.
  await b.close();
  await h.sleep(QUIET_MS);
  for (const client of [a, watcher]) {
    assert.equal(client.messages.filter(isRemoved(channel, 'uB')).length, 0);
  }
  await usersAre(n3, channel, ['uA', 'uB', 'uW']);
  await b2.close();
  await a.waitFor(isRemoved(channel, 'uB'));
  await watcher.waitFor(isRemoved(channel, 'uB'));
  await h.sleep(QUIET_MS);
  for (const client of [a, watcher]) {
    assert.equal(client.messages.filter(isRemoved(channel, 'uB')).length, 1, `${client.label}: one member_removed`);
  }
  for (const node of nodes) await usersAre(node, channel, ['uA', 'uW']);
});

test('presence channels with members elsewhere are listed and counted on every node', T, async () => {
  const [n1, n2, n3] = nodes;
  const channel = h.uniq('presence-listed-');
  await join(n1, channel, 'u1');
  await join(n2, channel, 'u2');
  await waitUntil('N3 to list the channel with two users', async () => {
    const response = await h.api(n3, 'GET', `/apps/${n3.app.id}/channels`, {
      query: { filter_by_prefix: 'presence-', info: 'user_count' },
    });
    return response.json?.channels?.[channel]?.user_count === 2 || response.json;
  });
  const occupied = await h.api(n3, 'GET', `/apps/${n3.app.id}/channels/${channel}`);
  assert.equal(occupied.json.occupied, true);
});
