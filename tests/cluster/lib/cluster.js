'use strict';

// Starts several real dnotifier-node processes on 127.0.0.1 that form one cluster: they share
// a cluster secret and every node after the first names the first as its seed. Each node has
// its own client and peer ports, picked free by the node itself. Stopping and signalling go
// through the compat harness, which only ever touches the processes it started, by PID.

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const { before, after, afterEach } = require('node:test');
const { DNotifierNode } = require('../../compat/lib/node');
const { cleanupAll } = require('../../compat/lib/cleanup');

const CONVERGE_TIMEOUT_MS = 20_000;

// One GET over loopback, over https when the node's client port speaks TLS (its certificate is
// the test's own, not checked); resolves with {status, body}.
function get(node, path) {
  const overTls = Boolean(node.config?.tls_cert);
  const client = overTls ? https : http;
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: node.port, path, timeout: 5_000, ...(overTls ? { rejectUnauthorized: false } : {}) };
    const request = client.get(options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', reject);
  });
}

// One POST with a JSON body over loopback (the Centrifugo-style server API); resolves with
// {status, text}.
function postJson(node, path, body, headers = {}) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: node.port, path, method: 'POST', timeout: 5_000, headers: { 'Content-Type': 'application/json', ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, text }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`POST ${path} timed out`)));
    request.on('error', reject);
    request.end(payload);
  });
}

// The node's /metrics as {name: number}, labels dropped.
async function metrics(node) {
  const { status, body } = await get(node, '/metrics');
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  const values = {};
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, value] = line.split(' ');
    values[name.replace(/\{.*\}$/, '')] = Number(value);
  }
  return values;
}

async function waitUntil(what, check, timeoutMs = CONVERGE_TIMEOUT_MS, stepMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last === true) return;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

// Resolves once every listed node counts `alive` live members, itself included.
async function waitForMembers(nodes, alive, timeoutMs) {
  await waitUntil(
    `${nodes.map((n) => n.label).join(', ')} to see ${alive} live members`,
    async () => {
      const seen = await Promise.all(nodes.map(async (n) => (await metrics(n)).dnotifier_cluster_members_alive));
      return seen.every((count) => count === alive) || seen;
    },
    timeoutMs,
  );
}

// Starts `count` nodes; `options` is the config for all of them, `perNode(i)` adds to node i's.
async function startCluster(count, options = {}, perNode = () => ({})) {
  const secret = crypto.randomBytes(24).toString('base64url');
  const nodes = [];
  for (let i = 0; i < count; ++i) {
    const label = `N${i + 1}`;
    const seeds = i === 0 ? [] : [nodes[0].peerAddress];
    const node = new DNotifierNode({ cluster_secret: secret, seeds, node_name: label, ...options, ...perNode(i) }, label);
    nodes.push(node);
    await node.start();
  }
  await waitForMembers(nodes, count);
  return nodes;
}

// One cluster for the whole test file, stopped in after(); clients are cleaned after each test.
function useCluster(count, options = {}, perNode) {
  const nodes = [];
  before(async () => {
    nodes.push(...(await startCluster(count, options, perNode)));
  });
  afterEach(async () => {
    await cleanupAll();
  });
  after(async () => {
    await cleanupAll();
    await Promise.all(nodes.map((n) => n.stop()));
  });
  return nodes;
}

module.exports = { startCluster, useCluster, metrics, waitForMembers, waitUntil, get, postJson };
