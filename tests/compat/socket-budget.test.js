'use strict';

// The node holds client sockets only up to a budget below its open-file limit (Qt 6.4 spins
// on accept() at the limit), accepts again once sockets close, and frees every socket it
// served: descriptors return to their baseline after many connections come and go.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const WebSocket = require('ws');
const { useNode, startNode } = require('./lib/node');
const { open, sleep, trigger } = require('./lib/helpers');

// With RLIMIT_NOFILE 200 the node keeps 128 descriptors back, so 72 sockets fit.
const node = useNode({ openFileLimit: 200 }, 'budget');
const BUDGET = 72;

function openDescriptors(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// A raw ws client that counts connection_established without the harness's bookkeeping.
function rawClient(server = node) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/app/${server.app.key}?protocol=7`);
  ws.established = false;
  ws.on('message', (message) => {
    if (JSON.parse(message).event === 'pusher:connection_established') ws.established = true;
  });
  ws.on('error', () => {});
  return ws;
}

async function waitFor(predicate, what) {
  for (let i = 0; i < 200; ++i) {
    if (predicate()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('the node logs its socket budget derived from the open-file limit', async () => {
  await waitFor(() => /socket_budget= (\d+)/.test(node.stderr), 'the listening log line');
  assert.equal(Number(node.stderr.match(/socket_budget= (\d+)/)[1]), BUDGET);
});

test('over the budget the node never holds more sockets than the budget and serves new clients once sockets close', async () => {
  const clients = Array.from({ length: 100 }, rawClient);
  await waitFor(() => node.stderr.includes('socket budget reached, pausing accept'), 'the pause');
  // Clients beyond the budget are either refused with a reset or wait in the listen queue.
  await sleep(1500);
  const served = clients.filter((ws) => ws.established).length;
  assert.ok(served <= BUDGET, `at most ${BUDGET} sockets are held, got ${served}`);
  assert.ok(served >= BUDGET - 2, `the budget is used, got ${served}`);

  for (const ws of clients) ws.terminate();
  await waitFor(() => node.stderr.includes('accepting again'), 'accepting again');
  const probe = await open(node);
  assert.match(probe.socketId, /^\d+\.\d+$/);
  await probe.close();
});

test('descriptors return to their baseline after 300 connections come and go', async () => {
  await sleep(500);
  const baseline = openDescriptors(node.pid);
  // Each round waits for the last: a client's close completes before the node has seen it,
  // and two rounds held at once would exceed the budget of 72.
  for (let round = 0; round < 6; ++round) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => open(node)));
    await Promise.all(batch.map((client, i) => (i % 2 ? client.close() : client.destroy())));
    await waitFor(() => openDescriptors(node.pid) === baseline, `descriptors back to ${baseline} after round ${round + 1}`);
  }
  const response = await trigger(node, ['news'], 'still-alive', '{}');
  assert.equal(response.status, 200);
});

// The check that resumes accepting kept running after shutdown closed the listener, and
// resuming a closed listener crashed the node: stopped while paused at the budget, it died of
// SIGSEGV once its clients had gone.
test('a node stopped while accepting is paused at the budget exits cleanly', async () => {
  const full = await startNode({ openFileLimit: 200 }, 'budget-stop');
  const clients = Array.from({ length: 100 }, () => rawClient(full));
  await waitFor(() => full.stderr.includes('socket budget reached, pausing accept'), 'the pause');
  await waitFor(() => clients.filter((ws) => ws.established).length >= BUDGET - 2, 'the budget used');
  const exit = await full.stop();
  for (const ws of clients) ws.terminate();
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
});
