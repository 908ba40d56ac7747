'use strict';

// Rolling restart (issue 4, item 6): every node of a three-node cluster is stopped with
// SIGTERM and replaced in turn while a publisher sends without pause. Centrifuge subscribers
// reach the cluster through a load balancer; when their node goes they reconnect, land on
// another node and recover from its history, so each receives every publication exactly once
// and in order. The history is the same on every node because one node per region orders the
// publications of history channels and sends them to all (docs/cluster.md).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const h = require('../compat/lib/helpers');
const cf = require('../compat/lib/centrifuge');
const { DNotifierNode } = require('../compat/lib/node');
const { cleanupAll } = require('../compat/lib/cleanup');
const { waitForMembers, waitUntil } = require('./lib/cluster');
const { startBalancer } = require('./lib/balancer');

const T = { timeout: 240_000 };
const SUBSCRIBERS = 3;
const RECONNECT = { minReconnectDelay: 100, maxReconnectDelay: 500 };
const CONFIG = { app: { namespaces: [{ name: '', history_size: 1000, history_ttl: 300, allow_publish: true }] } };

test('a rolling restart of every node loses nothing for subscribers that recover', T, async (t) => {
  const secret = crypto.randomBytes(24).toString('base64url');
  const live = [];
  const everyNode = [];
  const startMember = async (label) => {
    const seeds = live.length > 0 ? [live[0].peerAddress] : [];
    const node = new DNotifierNode({ ...CONFIG, cluster_secret: secret, seeds, node_name: label }, label);
    everyNode.push(node);
    await node.start();
    live.push(node);
    return node;
  };
  t.after(async () => {
    await cleanupAll();
    await Promise.all(everyNode.map((n) => n.stop()));
  });
  for (const label of ['N1', 'N2', 'N3']) await startMember(label);
  await waitForMembers(live, 3);
  const balancer = await startBalancer(live);

  const channel = h.uniq('rolling-');
  const subscribers = [];
  for (let i = 0; i < SUBSCRIBERS; ++i) {
    const token = await cf.connToken(live[0].app, { sub: `reader-${i}` });
    const { client } = await cf.cfConnected(live[0], { port: balancer.port, token, label: `reader-${i}`, ...RECONNECT });
    const { sub } = await cf.cfSubscribed(client, channel, { recoverable: true });
    subscribers.push({ client, sub });
  }

  // The publisher sends through whichever node is not being restarted, one at a time.
  let restarting;
  let publishing = true;
  let sent = 0;
  const publisher = (async () => {
    while (publishing) {
      const target = live.find((n) => n !== restarting && n.alive);
      const response = await h.trigger(target, channel, 'tick', JSON.stringify({ n: sent }));
      assert.equal(response.status, 200, response.text);
      sent += 1;
      await h.sleep(10);
    }
  })();

  await h.sleep(500);
  for (const label of ['N1', 'N2', 'N3']) {
    const old = live.find((n) => n.label === label);
    restarting = old;
    balancer.markDown(old);
    await h.sleep(50); // the publisher's request in flight to it, if any, completes
    live.splice(live.indexOf(old), 1);
    await old.stop();
    const replacement = await startMember(`${label}-b`);
    await waitForMembers(live, 3);
    balancer.add(replacement);
    restarting = undefined;
    await h.sleep(700);
  }
  await h.sleep(500);
  publishing = false;
  await publisher;
  t.diagnostic(`published ${sent} messages across three restarts`);

  const expected = Array.from({ length: sent }, (_, i) => i);
  for (const [i, { sub }] of subscribers.entries()) {
    await waitUntil(`reader-${i} to receive all ${sent} publications`, () => {
      const got = sub.log.all('publication').map((p) => p.data.n);
      return got.length >= sent || got.length;
    }, 30_000, 100);
    const received = sub.log.all('publication').map((p) => p.data.n);
    assert.deepEqual(received, expected, `reader-${i}: every publication once, in order`);
    // Every node was restarted, so every reader lost its node at least once.
    const resubscribed = sub.log.all('subscribed').slice(1);
    assert.ok(resubscribed.length >= 1, `reader-${i} resubscribed after its node stopped`);
    assert.ok(resubscribed.every((ctx) => ctx.recovered === true), `reader-${i} recovered on each resubscribe`);
  }
});
