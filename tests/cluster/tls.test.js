'use strict';

// TLS on peer links (issue 4, item 1; docs/cluster.md): with peer_tls every link is
// encrypted, so nothing a client publishes crosses the network in clear, and the cluster works
// as without it. Each node reaches the other through a TCP relay of this test that records
// the bytes it carries.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const net = require('node:net');
const h = require('../compat/lib/helpers');
const { DNotifierNode } = require('../compat/lib/node');
const { cleanupAll, track } = require('../compat/lib/cleanup');
const { waitForMembers, waitUntil, metrics } = require('./lib/cluster');

const T = { timeout: 60_000 };

// Forwards to `target()` and keeps every byte it carries, in both directions.
async function recordingRelay(target) {
  const carried = [];
  const sockets = new Set();
  const server = net.createServer((downstream) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target() });
    for (const [from, to] of [[downstream, upstream], [upstream, downstream]]) {
      sockets.add(from);
      from.on('data', (chunk) => {
        carried.push(chunk);
        to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relay = { port: server.address().port, bytes: () => Buffer.concat(carried) };
  track(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return relay;
}

async function pairThroughRelays(t, extra) {
  const secret = crypto.randomBytes(24).toString('base64url');
  const nodes = [];
  t.after(async () => {
    await cleanupAll();
    await Promise.all(nodes.map((n) => n.stop()));
  });
  const relays = [];
  for (let i = 0; i < 2; ++i) {
    const index = i;
    relays.push(await recordingRelay(() => nodes[index].peerPort));
  }
  for (let i = 0; i < 2; ++i) {
    const seeds = i === 0 ? [] : [`127.0.0.1:${relays[0].port}`];
    const node = new DNotifierNode(
      { cluster_secret: secret, seeds, advertise: `127.0.0.1:${relays[i].port}`, node_name: `N${i + 1}`, ...extra },
      `N${i + 1}`,
    );
    nodes.push(node);
    await node.start();
  }
  await waitForMembers(nodes, 2);
  return { nodes, relays };
}

async function publishAcross(nodes, marker) {
  const [n1, n2] = nodes;
  const channel = h.uniq('tls-');
  const client = await h.open(n2);
  await h.subOk(client, channel);
  await waitUntil('N1 to route the channel to N2', async () => {
    const r = await h.api(n1, 'GET', `/apps/${n1.app.id}/channels/${channel}`, { query: { info: 'subscription_count' } });
    return r.json?.subscription_count === 1 || r.json;
  });
  await h.triggerOk(n1, channel, 'secret-event', marker);
  const got = await client.waitFor((m) => m.event === 'secret-event' && m.channel === channel);
  assert.equal(got.data, marker);
}

test('with peer_tls the cluster works and a publication never crosses a link in clear', T, async (t) => {
  const { nodes, relays } = await pairThroughRelays(t, { peer_tls: true });
  const marker = `payload-${crypto.randomBytes(8).toString('hex')}`;
  await publishAcross(nodes, marker);
  const carried = Buffer.concat(relays.map((r) => r.bytes()));
  assert.ok(carried.length > 0, 'the links went through the relays');
  assert.equal(carried.indexOf(marker), -1, 'the payload is not readable on the wire');
  assert.equal(carried.indexOf(nodes[0].app.id), -1, 'nor is the app id');
});

test('without peer_tls the same payload is readable on the wire (the relay sees what TLS hides)', T, async (t) => {
  const { nodes, relays } = await pairThroughRelays(t, {});
  const marker = `payload-${crypto.randomBytes(8).toString('hex')}`;
  await publishAcross(nodes, marker);
  const carried = Buffer.concat(relays.map((r) => r.bytes()));
  assert.notEqual(carried.indexOf(marker), -1);
});

test('a relay that terminates TLS with its own certificate cannot join a node to the cluster', T, async (t) => {
  const tls = require('node:tls');
  const fs = require('node:fs');
  const path = require('node:path');
  const secret = crypto.randomBytes(24).toString('base64url');
  const nodes = [];
  t.after(async () => {
    await cleanupAll();
    await Promise.all(nodes.map((n) => n.stop()));
  });
  // A node of another cluster makes the certificate the relay shows.
  const stranger = new DNotifierNode({ peer_tls: true, node_name: 'stranger' }, 'stranger');
  nodes.push(stranger);
  await stranger.start();
  const relayKey = fs.readFileSync(path.join(stranger.dataDir, 'peer-tls-key.pem'));
  const relayCert = fs.readFileSync(path.join(stranger.dataDir, 'peer-tls-cert.pem'));

  const n1 = new DNotifierNode({ cluster_secret: secret, peer_tls: true, node_name: 'N1' }, 'N1');
  nodes.push(n1);
  await n1.start();
  let relayed = 0;
  const sockets = new Set();
  const relay = tls.createServer({ key: relayKey, cert: relayCert }, (inside) => {
    relayed += 1;
    const outside = tls.connect({ host: '127.0.0.1', port: n1.peerPort, rejectUnauthorized: false });
    for (const socket of [inside, outside]) {
      sockets.add(socket);
      socket.on('error', () => {});
    }
    inside.pipe(outside);
    outside.pipe(inside);
    inside.on('close', () => outside.destroy());
    outside.on('close', () => inside.destroy());
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  track(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => relay.close(resolve));
  });

  const n2 = new DNotifierNode(
    { cluster_secret: secret, peer_tls: true, node_name: 'N2', seeds: [`127.0.0.1:${relay.address().port}`] },
    'N2',
  );
  nodes.push(n2);
  await n2.start();
  await waitUntil('N2 to have tried the relay twice', () => relayed >= 2 || relayed, 15_000, 100);
  for (const node of [n1, n2]) {
    assert.equal((await metrics(node)).dnotifier_cluster_members_alive, 1, `${node.label} stays alone`);
    assert.equal((await metrics(node)).dnotifier_peer_links, 0);
  }

  // The control: a relay that only passes the bytes on, TLS included, lets a node join.
  const passthrough = await recordingRelay(() => n1.peerPort);
  const n3 = new DNotifierNode(
    { cluster_secret: secret, peer_tls: true, node_name: 'N3', seeds: [`127.0.0.1:${passthrough.port}`] },
    'N3',
  );
  nodes.push(n3);
  await n3.start();
  await waitForMembers([n1, n3], 2);
});
