'use strict';

// The admin channel of one node shows and manages the whole cluster: topology with links and
// their round trips, channels and traffic of every node, commands that reach clients on other
// nodes, a join token that admits a new node, and a node's failure seen as a delta.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { DNotifierNode } = require('../compat/lib/node');
const h = require('../compat/lib/helpers');
const cf = require('../compat/lib/centrifuge');
const { adminSession, Collection } = require('../compat/lib/admin');
const { useCluster, waitForMembers, waitUntil } = require('./lib/cluster');

const nodes = useCluster(2, {}, (i) => ({ region: i === 0 ? 'eu' : 'us' }));
const T = { timeout: 90_000 };

// Runs `wait` while publishing to the channel through `node` every 100 ms: a rate is
// measured per second, so it shows only while publications keep coming.
async function whilePublishing(node, channel, wait) {
  let publishing = true;
  const publisher = (async () => {
    for (let i = 0; publishing; ++i) {
      await h.triggerOk(node, channel, 'tick', String(i));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    return await wait();
  } finally {
    publishing = false;
    await publisher;
  }
}

test('topology: every node, its region and the gateway link with a measured round trip', T, async () => {
  const [n1, n2] = nodes;
  const admin = await adminSession(n1);
  const { stream, snapshot } = await admin.subscribe({ stream: 'topology' });
  const topology = new Collection(admin, stream, 'nodes', snapshot);
  const links = new Collection(admin, stream, 'links', snapshot);
  assert.equal(topology.items.size, 2);
  const byName = Object.fromEntries([...topology.items.values()].map((n) => [n.name, n]));
  assert.deepEqual([byName.N1.region, byName.N2.region], ['eu', 'us']);
  assert.deepEqual([byName.N1.self, byName.N2.self], [true, false]);
  assert.deepEqual([byName.N1.state, byName.N2.state], ['alive', 'alive']);
  // Each node is its region's only member, hence its gateway.
  assert.deepEqual([byName.N1.gateway, byName.N2.gateway], [true, true]);
  assert.equal(byName.N2.address, n2.peerAddress);
  // N2's own figures arrive with its status.
  await topology.until((c) => c.get(byName.N2.key).version === '0.1.0', "N2's version");

  const key = [byName.N1.key, byName.N2.key].sort().join('|');
  const link = await links.until((c) => typeof c.get(key)?.rtt_ms === 'number' && c.get(key), 'a measured link');
  assert.ok(link.rtt_ms > 0 && link.rtt_ms < 1000, JSON.stringify(link));
});

test('channels and traffic of another node, with its publication rate', T, async () => {
  const [n1, n2] = nodes;
  const admin = await adminSession(n1);
  const channel = h.uniq('far-');
  const far = await h.open(n2);
  await h.subOk(far, channel);
  const { stream, snapshot } = await admin.subscribe({ stream: 'channels', filter: channel });
  const channels = new Collection(admin, stream, 'channels', snapshot);
  const key = `${n1.app.id}/${channel}`;
  await channels.until((c) => c.get(key)?.subscribers === 1, 'the channel subscribed on N2');
  // Published through N2 only, steadily: N1 learns the rate from N2's statuses.
  await whilePublishing(n2, channel, () => channels.until((c) => c.get(key)?.rate >= 1, "the channel's rate on N2"));

  const traffic = await admin.subscribe({ stream: 'traffic' });
  const sample = await admin.waitEvent(traffic.stream, (e) => e.data.nodes?.length === 2, 'a sample of both nodes');
  const total = sample.data.nodes.reduce((sum, n) => sum + n.connections, 0);
  assert.equal(sample.data.total.connections, total);
  assert.ok(total >= 1);
});

test("connections: N1 lists N2's connections and kicks one there", T, async () => {
  const [n1, n2] = nodes;
  const admin = await adminSession(n1);
  const { stream, snapshot } = await admin.subscribe({ stream: 'connections', filter: 'erin' });
  const connections = new Collection(admin, stream, 'connections', snapshot);
  const { client } = await cf.rawConnected(n2, await cf.connToken(n2.app, { sub: 'erin' }));
  const row = await connections.until((c) => [...c.items.values()].find((r) => r.user === 'erin'), "erin's connection on N2");
  const topology = (await admin.subscribe({ stream: 'topology' })).snapshot.nodes;
  const n2Id = topology.find((n) => n.name === 'N2').id;
  assert.equal(row.node, n2Id);
  assert.equal(row.key, `${n2Id}/${row.id}`);
  assert.equal(row.protocol, 'centrifuge');
  assert.equal(connections.fields.total, 1);

  const missing = await admin.call('kick', { node: n2Id, connection: '12345' });
  assert.equal(missing.error.code, 'not_found');
  assert.deepEqual(await admin.ok('kick', { node: n2Id, connection: row.id }), {});
  assert.equal((await client.closed).code, 3503);
  await connections.until((c) => !c.items.has(row.key), 'the kicked connection gone from the list');
  const unknown = await admin.call('kick', { node: 'ffffffffffffffff', connection: row.id });
  assert.equal(unknown.error.code, 'failed');
});

test('a tail on N1 shows what is published through N2, though N1 has no subscriber', T, async () => {
  const [n1, n2] = nodes;
  const admin = await adminSession(n1);
  const channel = h.uniq('far-tail-');
  const { stream } = await admin.subscribe({ stream: 'tail', app: n1.app.id, channel });
  const n2Id = (await admin.subscribe({ stream: 'topology' })).snapshot.nodes.find((n) => n.name === 'N2').id;
  // The lease reaches N2 within a second; publish until the first publication shows.
  const seen = await whilePublishing(n2, channel, () =>
    admin.waitEvent(stream, (e) => e.event === 'delta' && e.data.event === 'tick', 'a publication from N2'),
  );
  assert.equal(seen.data.node, n2Id);
  assert.equal(seen.data.origin, 'api');
  // Through N1 itself as well, once.
  await h.triggerOk(n1, channel, 'local', 'here');
  const local = await admin.waitEvent(stream, (e) => e.data.event === 'local', 'the local publication');
  assert.equal(local.data.node, admin.hello.node.id);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(admin.events.get(stream).filter((e) => e.data.event === 'local').length, 1);
});

test('terminate_user through N1 closes the user on N2', T, async () => {
  const [n1, n2] = nodes;
  const admin = await adminSession(n1);
  const { client } = await cf.rawConnected(n2, await cf.connToken(n2.app, { sub: 'dave' }));
  const pusherDave = await h.open(n2);
  await h.signinOk(pusherDave, { id: 'dave' });
  await admin.ok('terminate_user', { app: n1.app.id, user: 'dave' });
  assert.equal((await client.closed).code, 3503);
  assert.equal((await pusherDave.waitClose()).code, 4009);
});

test('an app created through N1 is served by N2; a rotation through N2 holds on N1', T, async () => {
  const [n1, n2] = nodes;
  const admin1 = await adminSession(n1);
  const admin2 = await adminSession(n2);
  const { app } = await admin1.ok('create_app');
  const created = { id: app.id, key: app.key, secret: app.secret };
  await waitUntil('N2 to serve the new app', async () => (await admin2.ok('list_apps')).apps.some((a) => a.key === app.key));
  const channel = h.uniq('shared-');
  const onN2 = await h.open(n2, { app: created });
  await h.subOk(onN2, channel);
  await h.triggerOk(n1, channel, 'hi', 'across', { app: created });
  assert.equal((await onN2.waitEvent('hi', channel)).data, 'across');

  const rotated = (await admin2.ok('rotate_app', { app: app.id })).app;
  await waitUntil('N1 to take the rotation', async () => (await admin1.ok('list_apps')).apps.some((a) => a.key === rotated.key));
  assert.equal((await h.trigger(n1, channel, 'hi', 'old', { app: created })).status, 401);
  const renewed = { id: rotated.id, key: rotated.key, secret: rotated.secret };
  await h.triggerOk(n1, channel, 'hi', 'renewed', { app: renewed });
});

test('a join token from the console admits a new node, which then fails and shows dead', T, async () => {
  const [n1] = nodes;
  const admin = await adminSession(n1);
  const { stream, snapshot } = await admin.subscribe({ stream: 'topology' });
  const topology = new Collection(admin, stream, 'nodes', snapshot);
  const { token } = await admin.ok('create_join_token', { ttl: 600 });
  const joiner = new DNotifierNode({ join: token, node_name: 'N3', region: 'eu' }, 'N3');
  try {
    await joiner.start();
    await waitForMembers([n1, joiner], 3);
    const added = await topology.until(
      (c) => [...c.items.values()].find((n) => n.name === 'N3' && n.state === 'alive'),
      'N3 alive in the topology',
    );
    assert.equal(added.region, 'eu');
    joiner.signal('SIGKILL');
    await topology.until((c) => ['suspect', 'dead'].includes(c.get(added.key)?.state) || !c.items.has(added.key),
      'N3 no longer alive');
  } finally {
    await joiner.stop();
  }
});
