'use strict';

// A storm of client TLS handshakes on one node of two must not make either node suspect the
// other. By default a small machine runs the whole node on one thread, so its client
// handshakes and its cluster probes share that thread; an RSA-2048 handshake costs a
// millisecond or two, and before peer links were looked at first on every loop turn
// (EpollDispatcher::setUrgent), probes waited behind the whole storm: the nodes suspected each
// other, and in 2 of 7 runs of 2,000 handshakes the stormed node was declared dead and its
// publications lost. Probes time out after 250 ms (docs/cluster.md).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const { DNotifierNode } = require('../compat/lib/node');
const { metrics, waitUntil } = require('./lib/cluster');
const { cleanupAll } = require('../compat/lib/cleanup');

const STORMS = 4;
const HANDSHAKES_PER_STORM = 1500;
const T = { timeout: 180_000 };

// RSA on purpose: its handshakes are the expensive kind.
function makeRsaCertificate(dir) {
  const cert = path.join(dir, 'rsa.pem');
  const key = path.join(dir, 'rsa.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=storm', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

// Opens `count` TLS connections at once, waits until each finished its handshake or failed,
// then resets them all.
async function storm(port, count) {
  const sockets = [];
  await new Promise((resolve) => {
    let finished = 0;
    const done = () => {
      if (++finished === count) resolve();
    };
    for (let i = 0; i < count; i++) {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      socket.on('error', () => {});
      socket.once('secureConnect', done);
      socket.once('close', done);
      sockets.push(socket);
    }
  });
  for (const socket of sockets) socket.destroy();
}

test('a node busy with thousands of client TLS handshakes is never suspected, and suspects no one', T, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnotifier-storm-'));
  const { cert, key } = makeRsaCertificate(dir);
  const secret = crypto.randomBytes(24).toString('base64url');
  const stormed = new DNotifierNode({ cluster_secret: secret, node_name: 'stormed', tls_cert: cert, tls_key: key }, 'stormed');
  const nodes = [stormed];
  t.after(async () => {
    await cleanupAll();
    await Promise.all(nodes.map((n) => n.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await stormed.start();
  const other = new DNotifierNode({ cluster_secret: secret, node_name: 'other', seeds: [stormed.peerAddress] }, 'other');
  nodes.push(other);
  await other.start();
  await waitUntil('both nodes to see two members alive', async () => {
    const seen = await Promise.all(nodes.map((node) => metrics(node)));
    return seen.every((m) => m.dnotifier_cluster_members_alive === 2);
  });

  // Suspicion is a state that lasts at least a probe round: sampled every 100 ms it is seen.
  const suspected = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const node of nodes) {
        const seen = await metrics(node);
        if (seen.dnotifier_cluster_members_suspect > 0 || seen.dnotifier_cluster_members_alive !== 2) {
          suspected.push(`${node.label}: alive ${seen.dnotifier_cluster_members_alive}, suspect ${seen.dnotifier_cluster_members_suspect}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  for (let i = 0; i < STORMS; i++) {
    await storm(stormed.port, HANDSHAKES_PER_STORM);
  }
  // A probe round after the last storm, for a late suspicion to show.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  watching = false;
  await watcher;

  assert.deepEqual(suspected, [], 'no node was suspected during the storms');
  for (const node of nodes) {
    const seen = await metrics(node);
    assert.equal(seen.dnotifier_cluster_members_declared_dead_total, 0, `${node.label} declared no member dead`);
  }
  assert.equal(other.alive && stormed.alive, true);
});
