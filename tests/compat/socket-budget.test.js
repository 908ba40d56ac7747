'use strict';

// The node holds client sockets only up to a budget below its open-file limit (Qt 6.4 spins
// on accept() at the limit), accepts again once sockets close, and frees every socket it
// served: descriptors return to their baseline after many connections come and go.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const WebSocket = require('ws');
const { useNode } = require('./lib/node');
const { open, sleep, trigger } = require('./lib/helpers');

// With RLIMIT_NOFILE 200 the node keeps 128 descriptors back, so 72 sockets fit.
const node = useNode({ openFileLimit: 200 }, 'budget');
const BUDGET = 72;

function openDescriptors(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// A raw ws client that counts connection_established without the harness's bookkeeping.
function rawClient() {
  const ws = new WebSocket(`ws://127.0.0.1:${node.port}/app/${node.app.key}?protocol=7`);
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
  for (let round = 0; round < 6; ++round) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => open(node)));
    await Promise.all(batch.map((client, i) => (i % 2 ? client.close() : client.destroy())));
  }
  await waitFor(() => openDescriptors(node.pid) === baseline, `descriptors back to ${baseline}`);
  const response = await trigger(node, ['news'], 'still-alive', '{}');
  assert.equal(response.status, 200);
});
