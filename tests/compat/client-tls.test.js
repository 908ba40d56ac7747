'use strict';

// TLS on the client port from certificate files: the HTTP API over https, Pusher and
// Centrifuge clients over wss, nothing in clear text, and a new certificate taken on SIGHUP
// by new connections while open ones carry on. Certificates are made for 127.0.0.1 by the
// openssl command line tool, in the test's own directory.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const tls = require('node:tls');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnotifier-tls-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// A self-signed EC certificate for IP 127.0.0.1 written to <name>.pem and <name>.key.
function makeCertificate(name) {
  const certificate = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', certificate, '-days', '1', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { certificate, key, pem: fs.readFileSync(certificate) };
}

const first = makeCertificate('first');
const live = { cert: path.join(dir, 'live.pem'), key: path.join(dir, 'live.key') };
fs.copyFileSync(first.certificate, live.cert);
fs.copyFileSync(first.key, live.key);

const node = useNode({ tls_cert: live.cert, tls_key: live.key }, 'tls');
const T = { timeout: 60_000 };

// A signed API request over https, trusting `ca` only.
function apiOverTls(method, apiPath, body, ca) {
  const app = node.app;
  const payload = JSON.stringify(body);
  const params = {
    auth_key: app.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    body_md5: crypto.createHash('md5').update(payload).digest('hex'),
  };
  const query = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
  const signature = crypto.createHmac('sha256', app.secret).update(`${method}\n${apiPath}\n${query}`).digest('hex');
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', port: node.port, method, path: `${apiPath}?${query}&auth_signature=${signature}`, ca,
        headers: { 'Content-Type': 'application/json' } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

// Opens a Pusher connection over wss trusting `ca`; resolves with {ws, messages, certificate}.
function pusherOverTls(ca) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${node.port}/app/${node.app.key}?protocol=7`, { ca });
    const messages = [];
    let certificate;
    ws.on('upgrade', (response) => (certificate = response.socket.getPeerCertificate()));
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      messages.push(message);
      if (message.event === 'pusher:connection_established') resolve({ ws, messages, certificate });
    });
    ws.on('error', reject);
  });
}

test('the banner names https and wss', T, async () => {
  assert.ok(node.stdout.includes(`Listening on https://127.0.0.1:${node.port}`), node.stdout);
  assert.ok(node.stdout.includes(`wss://127.0.0.1:${node.port}/app/${node.app.key}`), node.stdout);
  assert.ok(node.stdout.includes('forceTLS: true'), node.stdout);
});

test('Pusher over wss receives what the HTTP API publishes over https', T, async () => {
  const { ws, messages } = await pusherOverTls(first.pem);
  try {
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'secure' } }));
    const subscribed = Date.now() + 10_000;
    while (!messages.some((m) => m.event === 'pusher_internal:subscription_succeeded')) {
      if (Date.now() > subscribed) assert.fail(`not subscribed; got ${JSON.stringify(messages)}`);
      await h.sleep(20);
    }
    const published = await apiOverTls('POST', `/apps/${node.app.id}/events`, { name: 'e', channels: ['secure'], data: 'over tls' }, first.pem);
    assert.equal(published.status, 200, published.text);
    const deadline = Date.now() + 10_000;
    while (!messages.some((m) => m.event === 'e')) {
      if (Date.now() > deadline) assert.fail(`no event; got ${JSON.stringify(messages)}`);
      await h.sleep(20);
    }
    assert.equal(messages.find((m) => m.event === 'e').data, 'over tls');
  } finally {
    ws.terminate();
  }
});

test('a Centrifuge client connects over wss', T, async () => {
  const token = await cf.connToken(node.app, { sub: 'tls-user' });
  const { reply } = await cf.rawConnected(node, token, {
    url: `wss://127.0.0.1:${node.port}/connection/websocket`,
    wsOptions: { ca: first.pem },
  });
  assert.ok(reply.connect.client);
});

test('requests that close their connection get their whole answer over https', T, async () => {
  // Node's agent without keep-alive sends "Connection: close" right behind the TLS handshake,
  // so the node answers while it is still reading the handshake's last record.
  const agent = new https.Agent({ keepAlive: false, ca: first.pem });
  try {
    for (let i = 0; i < 20; i++) {
      const answer = await new Promise((resolve, reject) => {
        https.get({ host: '127.0.0.1', port: node.port, path: '/livez', agent }, (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode, connection: response.headers.connection, text }));
        }).on('error', reject);
      });
      assert.deepEqual(answer, { status: 200, connection: 'close', text: '{"status":"ok"}' }, `request ${i}`);
    }
  } finally {
    agent.destroy();
  }
});

// A TCP connection under TLS that the client resets (RST) right after `send` leaves, without
// waiting for anything: the reset reaches the node while it is closing the connection.
function tlsThenReset(send) {
  return new Promise((resolve) => {
    const tcp = net.connect(node.port, '127.0.0.1');
    const secure = tls.connect({ socket: tcp, ca: first.pem, servername: '127.0.0.1' }, () => {
      send(secure, () => {
        tcp.resetAndDestroy();
        resolve();
      });
    });
    secure.on('error', () => resolve());
    tcp.on('error', () => resolve());
  });
}

// Upgrades over `secure` and calls `then` once the 101 is in.
function upgradeOver(secure, then) {
  secure.write(`GET /app/${node.app.key}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`
    + `Connection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n`
    + 'Sec-WebSocket-Version: 13\r\n\r\n');
  let head = '';
  const onData = (chunk) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n')) {
      secure.off('data', onData);
      then();
    }
  };
  secure.on('data', onData);
}

test('clients that reset their connection while the node closes it do not take the node down', T, async () => {
  const pid = node.child.pid;
  const bystander = await pusherOverTls(first.pem);
  try {
    for (let i = 0; i < 30; i++) {
      // The client's close frame, then a reset before the node's close frame is read.
      await tlsThenReset((secure, done) => upgradeOver(secure, () => secure.write(h.frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) }), done)));
      // The node closes first (an unmasked frame is a protocol error), the client resets.
      await tlsThenReset((secure, done) => upgradeOver(secure, () => secure.write(h.frame({ payload: Buffer.from('x'), masked: false }), done)));
      // An https request that closes its connection, then a reset.
      await tlsThenReset((secure, done) => secure.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', done));
    }
    await h.sleep(200);
    assert.ok(node.alive, `the node exited: ${node.stderr.slice(-2000)}`);
    assert.equal(node.child.pid, pid);
    bystander.ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
    const deadline = Date.now() + 10_000;
    while (!bystander.messages.some((m) => m.event === 'pusher:pong')) {
      if (Date.now() > deadline) assert.fail('the bystander got no pong');
      await h.sleep(20);
    }
    const published = await apiOverTls('POST', `/apps/${node.app.id}/events`, { name: 'e', channels: ['after-resets'], data: 'd' }, first.pem);
    assert.equal(published.status, 200, published.text);
  } finally {
    bystander.ws.terminate();
  }
});

test('clear text on the TLS port gets no HTTP answer', T, async () => {
  const answer = await new Promise((resolve) => {
    const socket = net.connect(node.port, '127.0.0.1', () => socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
    setTimeout(() => socket.destroy(), 5_000);
  });
  assert.ok(!answer.startsWith('HTTP/1.1'), `a clear-text request was answered: ${JSON.stringify(answer.slice(0, 40))}`);
});

test('SIGHUP: new connections get the new certificate, open ones carry on', T, async () => {
  const open = await pusherOverTls(first.pem);
  const second = makeCertificate('second');
  fs.copyFileSync(second.certificate, live.cert);
  fs.copyFileSync(second.key, live.key);
  const mark = node.stderr.length;
  node.signal('SIGHUP');
  const deadline = Date.now() + 10_000;
  while (!node.stderr.slice(mark).includes("reloaded the client port's certificate")) {
    if (Date.now() > deadline) assert.fail(`no reload logged: ${node.stderr.slice(mark)}`);
    await h.sleep(50);
  }
  const fresh = await pusherOverTls(second.pem);
  assert.equal(fresh.certificate.subject.CN, 'second');
  // The old certificate no longer verifies a new connection.
  await assert.rejects(pusherOverTls(first.pem));
  open.ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
  const pongDeadline = Date.now() + 10_000;
  while (!open.messages.some((m) => m.event === 'pusher:pong')) {
    if (Date.now() > pongDeadline) assert.fail('the connection opened before the reload stopped answering');
    await h.sleep(20);
  }
  assert.equal(open.certificate.subject.CN, 'first');
  open.ws.terminate();
  fresh.ws.terminate();
});
