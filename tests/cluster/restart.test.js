'use strict';

// A node restarted on its data directory finds its cluster again without being told where it
// is: it keeps the addresses of the members it saw (peers.json) and dials them at start.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DNotifierNode } = require('../compat/lib/node');
const { startCluster, waitForMembers } = require('./lib/cluster');
const { cleanupAll } = require('../compat/lib/cleanup');

test('a node restarted without seeds rejoins from the peers it kept', { timeout: 60_000 }, async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dnotifier-restart-'));
  const nodes = await startCluster(2, {}, (i) => (i === 1 ? { dataDir: path.join(home, 'n2') } : {}));
  const started = [...nodes];
  t.after(async () => {
    await cleanupAll();
    await Promise.all(started.map((n) => n.stop()));
    fs.rmSync(home, { recursive: true, force: true });
  });
  const [n1, n2] = nodes;
  const kept = JSON.parse(fs.readFileSync(path.join(home, 'n2', 'peers.json'), 'utf8'));
  assert.deepEqual(kept, { peers: [n1.peerAddress] });

  await n2.stop();
  await waitForMembers([n1], 1);
  const { seeds, ...config } = n2.config;
  assert.equal(seeds.length, 1, 'it was started with a seed the first time');
  const again = new DNotifierNode({ ...config, app: n2.app, dataDir: path.join(home, 'n2') }, 'N2-again');
  started.push(again);
  await again.start();
  await waitForMembers([n1, again], 2);
});
