'use strict';

// Liveness and readiness as load balancers and orchestrators read them: /livez answers while
// the process runs; /readyz fails while the node drains (before it closes its clients) and
// while a node with seeds has not yet reached its cluster.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { useNode, startNode } = require('./lib/node');
const h = require('./lib/helpers');

const node = useNode({}, 'health');
const T = { timeout: 60_000 };

async function status(target, path) {
  const response = await h.api(target, 'GET', path);
  return { status: response.status, json: JSON.parse(response.text) };
}

// Polls `check` every 50 ms until it resolves true.
async function until(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await h.sleep(50);
  }
}

// A loopback port with nothing listening on it: bound, then released.
async function deadPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a running single node is live and ready', T, async () => {
  for (const path of ['/livez', '/healthz', '/readyz']) {
    assert.deepEqual(await status(node, path), { status: 200, json: { status: 'ok' } }, path);
  }
});

test('SIGTERM with a drain delay: /readyz fails at once, clients stay until the delay ends', T, async () => {
  const draining = await startNode({ drain_delay: 2 }, 'draining');
  const client = await h.open(draining);
  const exited = draining.expectExit();
  draining.signal('SIGTERM');
  await until(async () => (await status(draining, '/readyz')).status === 503, 'readyz to fail');
  assert.deepEqual((await status(draining, '/readyz')).json, { status: 'not ready', reasons: ['draining'] });
  assert.deepEqual(await status(draining, '/livez'), { status: 200, json: { status: 'ok' } });
  assert.equal(client.closeInfo, undefined, 'the client is still served during the delay');
  await h.triggerOk(draining, 'during-drain', 'e', 'still served');
  assert.equal((await client.waitClose(10_000)).code, 4200);
  assert.equal((await exited).code, 0);
});

test('a node whose seeds do not answer is not ready until it gives up waiting', T, async () => {
  const port = await deadPort();
  const lonely = await startNode({ seeds: [`127.0.0.1:${port}`], cluster_secret: 'a-secret-of-sixteen+' }, 'lonely');
  const first = await status(lonely, '/readyz');
  assert.deepEqual(first, { status: 503, json: { status: 'not ready', reasons: ['joining the cluster'] } });
  // It serves alone after a while rather than never.
  await until(async () => (await status(lonely, '/readyz')).status === 200, 'readyz alone', 20_000);
});

test('log lines are JSON objects when standard error is not a terminal', T, async () => {
  const lines = node.stderr.split('\n').filter((line) => line !== '');
  assert.ok(lines.length >= 2, node.stderr);
  for (const line of lines) {
    const entry = JSON.parse(line);
    const keys = Object.keys(entry);
    for (const required of ['time', 'level', 'component', 'message']) assert.ok(keys.includes(required), line);
    // The node id joins once the node knows it; nothing else is added.
    assert.ok(keys.every((k) => ['time', 'level', 'component', 'message', 'node'].includes(k)), line);
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(['debug', 'info', 'warning', 'error'].includes(entry.level), line);
    assert.match(entry.component, /^dnotifier\.node/);
  }
  const listening = lines.map((line) => JSON.parse(line)).find((e) => e.message.startsWith('listening'));
  assert.match(listening.node, /^[0-9a-f]{16}$/);
});
