'use strict';

// Field report B42: a certificate signed by an intermediate CA is served with that
// intermediate, so a client that trusts only the root can build the path (Android clients do
// not fetch missing intermediates). The three-level PKI is made by the openssl command line
// tool in the test's own directory; the node is given the leaf followed by the intermediate.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnotifier-chain-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const SERVER_NAME = 'test.local';

function openssl(args) {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

// Writes <name>.key and a certificate request for it; signs it with `issuer` (or itself).
function issue(name, subject, { issuer, extensions }) {
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  const signer = issuer ? ['-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial']
    : ['-signkey', `${name}.key`];
  openssl(['x509', '-req', '-in', `${name}.csr`, ...signer, '-days', '2', '-sha256',
    '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  return fs.readFileSync(path.join(dir, `${name}.pem`));
}

const CA = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
const root = issue('root', '/CN=DNotifier test root', { extensions: CA });
const intermediate = issue('intermediate', '/CN=DNotifier test intermediate', { issuer: 'root', extensions: CA });
const leaf = issue('leaf', `/CN=${SERVER_NAME}`, {
  issuer: 'intermediate',
  extensions: `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1\n`,
});
const chainFile = path.join(dir, 'chain.pem');
fs.writeFileSync(chainFile, Buffer.concat([leaf, intermediate]));

// Polls `predicate` every 20 ms, failing after 10 s with `what` in the message.
async function waitFor(predicate, what) {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await h.sleep(20);
  }
}

const node = useNode({ tls_cert: chainFile, tls_key: path.join(dir, 'leaf.key') }, 'tls-chain');
const T = { timeout: 60_000 };

test('the node presents the leaf and the intermediate, in that order', T, async () => {
  const socket = await new Promise((resolve, reject) => {
    const s = require('node:tls').connect(
      { host: '127.0.0.1', port: node.port, servername: SERVER_NAME, ca: root }, () => resolve(s));
    s.on('error', reject);
  });
  try {
    assert.ok(socket.authorized, `not authorized: ${socket.authorizationError}`);
    const presented = [];
    for (let c = socket.getPeerCertificate(true); c && !presented.includes(c); c = c.issuerCertificate) {
      presented.push(c);
      if (c.issuerCertificate === c) break;
    }
    assert.deepEqual(presented.map((c) => c.subject.CN),
      [SERVER_NAME, 'DNotifier test intermediate', 'DNotifier test root']);
  } finally {
    socket.destroy();
  }
});

test('openssl s_client sees two certificates on the wire', T, async () => {
  const shown = execFileSync('openssl', ['s_client', '-connect', `127.0.0.1:${node.port}`,
    '-servername', SERVER_NAME, '-showcerts', '-CAfile', path.join(dir, 'root.pem')],
  { input: '', stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 }).toString();
  const sent = shown.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
  assert.equal(sent.length, 2, shown);
  assert.match(shown, /Verify return code: 0 \(ok\)/);
});

test('a ws client trusting only the root connects, and the HTTP API works with the same trust', T, async () => {
  const messages = [];
  const ws = new WebSocket(`wss://127.0.0.1:${node.port}/app/${node.app.key}?protocol=7`,
    { ca: root, servername: SERVER_NAME });
  try {
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await h.withTimeout(new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', () => messages.some((m) => m.event === 'pusher:connection_established') && resolve());
    }), 10_000, 'connection_established over wss');
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'chained' } }));
    await waitFor(() => messages.some((m) => m.event === 'pusher_internal:subscription_succeeded'), 'subscription over wss');

    const agent = new https.Agent({ ca: root, servername: SERVER_NAME });
    const server = h.sdk(node, { useTLS: true, agent });
    const published = await server.trigger('chained', 'e', { over: 'the chain' }).catch((e) => {
      throw new Error(`${e.message}: ${e.error} (${e.url})`);
    });
    assert.equal(published.status, 200);
    await waitFor(() => messages.some((m) => m.event === 'e'), 'event over wss');
    assert.deepEqual(JSON.parse(messages.find((m) => m.event === 'e').data), { over: 'the chain' });
    agent.destroy();
  } finally {
    ws.terminate();
  }
});
