'use strict';

// Centrifuge presence and join/leave across nodes (issue 4, item 5): centrifuge-js clients on
// different nodes see one presence set, join and leave pushes reach the subscribers of every
// node once, and the clients of a node that fails leave everywhere.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../compat/lib/helpers');
const cf = require('../compat/lib/centrifuge');
const { useCluster, waitUntil, waitForMembers } = require('./lib/cluster');

const NAMESPACES = [{ name: 'chat', presence: true, join_leave: true, allow_publish: true }];
const nodes = useCluster(3, { app: { namespaces: NAMESPACES } });
const T = { timeout: 60_000 };
const QUIET_MS = 700;

async function connected(node, user, info) {
  return cf.cfConnected(node, { token: await cf.connToken(node.app, { sub: user, info }), label: user });
}

test('presence lists the clients of every node; join and leave reach each watcher once', T, async () => {
  const [n1, n2, n3] = nodes;
  const channel = `chat:${h.uniq('room')}`;
  const watcher = await connected(n1, 'watcher');
  const { sub: watching } = await cf.cfSubscribed(watcher.client, channel, { joinLeave: true });
  const farWatcher = await connected(n3, 'far-watcher');
  const { sub: farWatching } = await cf.cfSubscribed(farWatcher.client, channel, { joinLeave: true });

  const carol = await connected(n2, 'carol', { name: 'Carol' });
  const { sub: carolSub } = await cf.cfSubscribed(carol.client, channel);
  const expected = { channel, info: { client: carol.ctx.client, user: 'carol', connInfo: { name: 'Carol' } } };
  assert.deepEqual(await watching.log.wait('join', (j) => j.info.user === 'carol'), expected);
  assert.deepEqual(await farWatching.log.wait('join', (j) => j.info.user === 'carol'), expected);

  await waitUntil('N1 to list three clients', async () => {
    const stats = await watching.presenceStats();
    return (stats.numClients === 3 && stats.numUsers === 3) || stats;
  });
  const presence = await watching.presence();
  assert.deepEqual(Object.keys(presence.clients).sort(), [watcher.ctx.client, farWatcher.ctx.client, carol.ctx.client].sort());
  const listed = presence.clients[carol.ctx.client];
  assert.equal(listed.user, 'carol');
  assert.equal(listed.client, carol.ctx.client);
  assert.deepEqual(listed.connInfo, { name: 'Carol' });

  carolSub.unsubscribe();
  assert.deepEqual(await watching.log.wait('leave'), expected);
  assert.deepEqual(await farWatching.log.wait('leave'), expected);
  await h.sleep(QUIET_MS);
  for (const sub of [watching, farWatching]) {
    assert.equal(sub.log.all('join').filter((j) => j.info.user === 'carol').length, 1);
    assert.equal(sub.log.all('leave').length, 1);
  }
  assert.deepEqual(await watching.presenceStats(), { numClients: 2, numUsers: 2 });
});

test('the clients of a node that fails leave on the others', T, async (t) => {
  const [n1, , n3] = nodes;
  const channel = `chat:${h.uniq('fail')}`;
  const watcher = await connected(n1, 'watcher');
  const { sub: watching } = await cf.cfSubscribed(watcher.client, channel, { joinLeave: true });
  const doomed = await connected(n3, 'doomed');
  await cf.cfSubscribed(doomed.client, channel);
  await watching.log.wait('join', (j) => j.info.user === 'doomed');

  n3.signal('SIGKILL');
  const leave = await watching.log.wait('leave', (l) => l.info.user === 'doomed', { timeout: 15_000 });
  assert.equal(leave.info.client, doomed.ctx.client);
  assert.deepEqual(await watching.presenceStats(), { numClients: 1, numUsers: 1 });
  await waitForMembers(nodes.filter((n) => n !== n3), 2);
  t.diagnostic('the last test of the file: N3 stays down');
});
