'use strict';

// Hostile clients (the first security review's findings): one regression test per fault.
//
//  1. slow consumers: a client that stops reading is disconnected once its unread output passes
//     4 MB (Pusher 4100, Centrifuge 3008) and the node's memory stays bounded;
//  2. floods: more than 100 frames (Pusher) / commands (Centrifuge) a second disconnect the
//     sender (4100 / 3013), a steady 50 a second does not;
//  3. at most 1000 subscriptions per connection (Pusher LimitReached, Centrifuge error 106);
//  4. a request body that stops arriving is timed out;
//  5. a WebSocket handshake that never completes is aborted;
//  6. a response the client never reads does not keep its socket;
//  7. many cache channels publish and replay correctly;
//  8. event names starting pusher: / pusher_internal: are reserved in the HTTP API;
//  9. presence user ids beyond 2^53 are refused.
//
// Every test also keeps a well-behaved client connected meanwhile and checks, through the signed
// HTTP API, that it keeps receiving events. Waits are generous "within N s" bounds, never
// pass/fail timings. Only 127.0.0.1 is used; the node is stopped by its PID (useNode).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const crypto = require('node:crypto');
const { useNode, HOST } = require('./lib/node');
const { track } = require('./lib/cleanup');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

const T = { timeout: 60_000 };
const WAIT_MS = 10_000; // generous harness wait; never a pass/fail timing

// Centrifuge clients read presence stats of the "stats:" namespace: a cheap command with a
// real result, to tell that a connection is still served.
const node = useNode({ app: { namespaces: [{ name: 'stats', presence: true }] } }, 'hostile');

// The node's limits under test (node/transport/clientlimits.h and the timeouts of the fix).
const MAX_OUTBOUND_BYTES = 4 * 1024 * 1024;
const MAX_REQUESTS_PER_SECOND = 100;
const MAX_SUBSCRIPTIONS = 1000;
const RSS_LIMIT_MB = 200; // a generous bound for a node holding at most 4 MB per slow client

// ---------------------------------------------------------------------------------------------
// Helpers

// The node's resident set size in MB, from /proc/PID/status.
function rssMb() {
  const status = fs.readFileSync(`/proc/${node.pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  assert.ok(match, `no VmRSS line in /proc/${node.pid}/status`);
  return Number(match[1]) / 1024;
}

// Samples the node's RSS every 50 ms until stop(), which returns the largest value seen.
function watchRss() {
  let max = rssMb();
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssMb());
    } catch {
      // the node is gone: the test fails elsewhere
    }
  }, 50);
  const stop = track(() => clearInterval(timer));
  return {
    stop() {
      stop();
      max = Math.max(max, rssMb());
      return max;
    },
  };
}

// The node-side TCP socket of the connection from local port `clientPort`, if the node still has
// it among its file descriptors (an orphaned socket the kernel finishes alone does not count):
// {state (hex, 01 = ESTABLISHED), txQueue}.
function nodeSocketFor(clientPort) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${node.pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${node.pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const rows = fs.readFileSync(`/proc/${node.pid}/net/tcp`, 'utf8').split('\n').slice(1);
  for (const row of rows) {
    const f = row.trim().split(/\s+/);
    if (f.length < 10) continue;
    const localPort = parseInt(f[1].split(':')[1], 16);
    const remotePort = parseInt(f[2].split(':')[1], 16);
    if (localPort === node.port && remotePort === clientPort && inodes.has(f[9])) {
      return { state: f[3], txQueue: parseInt(f[4].split(':')[0], 16) };
    }
  }
  return undefined;
}

// Resolves once `pred()` is truthy (polled every 100 ms), or rejects after `timeout`.
async function pollUntil(pred, timeout, what) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = pred();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeout} ms`);
    await h.sleep(100);
  }
}

// A raw TCP connection to the node that records what it receives and how it ends.
function rawTcp() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port: node.port });
    const conn = { socket, received: Buffer.alloc(0), ended: false, error: undefined, closedByUs: false };
    conn.closed = new Promise((resolveClosed) => socket.once('close', resolveClosed));
    socket.on('data', (chunk) => {
      conn.received = Buffer.concat([conn.received, chunk]);
    });
    socket.on('end', () => {
      conn.ended = true;
    });
    socket.on('error', (error) => {
      conn.error = error;
    });
    track(() => {
      conn.closedByUs = true;
      socket.destroy();
      return conn.closed;
    });
    socket.once('connect', () => resolve(conn));
    socket.once('error', reject);
  });
}

// `${path}?…auth_signature=…` for a signed API request with these body bytes.
function signedTarget(method, path, body) {
  const params = {
    auth_key: node.app.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    body_md5: h.md5Hex(body),
  };
  const keys = Object.keys(params).sort();
  const signature = h.hmacHex(node.app.secret, `${method}\n${path}\n${keys.map((k) => `${k}=${params[k]}`).join('&')}`);
  return `${path}?${keys.map((k) => `${k}=${params[k]}`).join('&')}&auth_signature=${signature}`;
}

// A presence_stats command of a raw Centrifuge client; asserts that it got its result.
async function cfServed(client, what) {
  const reply = await client.call('presence_stats', { channel: 'stats:probe' }, { timeout: WAIT_MS });
  assert.equal(typeof reply.presence_stats, 'object', `${what}: ${JSON.stringify(reply)}`);
}

// A Pusher client subscribed to a channel of its own: the well-behaved bystander. check(name)
// triggers an event through the signed API and waits for it.
async function bystander(label = 'bystander') {
  const channel = h.uniq('bystander-');
  const client = await h.open(node, { label });
  await h.subOk(client, channel);
  let serial = 0;
  return {
    client,
    channel,
    async check(what) {
      serial += 1;
      const data = `${what} #${serial}`;
      await h.triggerOk(node, channel, 'still-here', data);
      const event = await client.waitFor((m) => m.event === 'still-here' && m.rawData === data, {
        timeout: WAIT_MS,
        what: `the bystander's event "${data}"`,
      });
      assert.equal(event.channel, channel);
    },
  };
}

// ~5 KB of JSON data carrying its sequence number.
const PAD = 'x'.repeat(5_000);
const seqData = (seq) => JSON.stringify({ seq, pad: PAD });

// Publishes `count` events "seq" to `channel` in order: sequential batch_events of 10. Calls
// `between()` after every batch.
async function publishInOrder(channel, count, between = () => {}) {
  for (let first = 0; first < count; first += 10) {
    const batch = [];
    for (let seq = first; seq < Math.min(count, first + 10); seq += 1) {
      batch.push({ channel, name: 'seq', data: seqData(seq) });
    }
    const response = await h.api(node, 'POST', `/apps/${node.app.id}/batch_events`, { body: { batch } });
    assert.equal(response.status, 200, `batch from seq ${first}: ${response.text}`);
    between();
  }
}

// Asserts that `seqs` is 0, 1, 2, … (every event once, in order).
function assertInOrder(seqs, what) {
  for (let i = 0; i < seqs.length; i += 1) {
    if (seqs[i] !== i) assert.fail(`${what}: event #${i} carries seq ${seqs[i]} (${seqs.slice(Math.max(0, i - 3), i + 3)})`);
  }
}

// Calls `onLine` once the node logs a slow-consumer disconnect; returns the remover.
function onSlowConsumerLog(onLine) {
  let text = '';
  const listener = (chunk) => {
    text += chunk;
    if (/slow consumer disconnected/.test(text)) onLine();
    if (text.length > 65_536) text = text.slice(-1_024);
  };
  node.child.stderr.on('data', listener);
  return track(() => node.child.stderr.off('data', listener));
}

// ---------------------------------------------------------------------------------------------
// 1. Slow consumers

const SLOW_EVENTS = 3_000; // ~15 MB: past the kernel's buffers plus the node's 4 MB

// The slow client's socket is paused while the events are published. It is resumed as soon as
// the node logs the disconnect (or once everything is published): the close frame queued behind
// the unread output is only kept for a few seconds, so the client must read up to it soon.
// The count of slow consumers the node closed, from /metrics.
async function slowConsumersClosed() {
  const { text } = await h.api(node, 'GET', '/metrics');
  return Number(/^dnotifier_client_slow_consumers_closed_total (\d+)$/m.exec(text)[1]);
}

test('1. a Pusher client that stops reading is closed with 4100 past 4 MB of unread output; a normal subscriber gets every event in order; RSS stays bounded', { timeout: 90_000 }, async (t) => {
  const channel = h.uniq('slow-');
  const normal = await h.open(node, { label: 'normal subscriber' });
  await h.subOk(normal, channel);
  const slow = await h.open(node, { label: 'slow consumer' });
  await h.subOk(slow, channel);
  const other = await bystander();
  const rss = watchRss();
  const slowClosedBefore = await slowConsumersClosed();

  slow.ws._socket.pause();
  const resume = () => slow.ws._socket.resume();
  const stopWatching = onSlowConsumerLog(resume);
  await publishInOrder(channel, SLOW_EVENTS);
  resume();
  stopWatching();

  const closed = await slow.waitClose(WAIT_MS);
  assert.equal(closed.code, 4100, `slow consumer closed with ${closed.code} "${closed.reason}"`);
  assert.equal(await slowConsumersClosed(), slowClosedBefore + 1, 'the stats count the slow consumer');
  assert.ok(closed.reason.length > 0, 'the 4100 close says why');
  const slowSeqs = slow.events('seq', channel).map((m) => m.data.seq);
  assert.ok(slowSeqs.length < SLOW_EVENTS, `the slow consumer was cut off, yet got all ${slowSeqs.length} events`);
  assert.ok(slowSeqs.length * 5_000 >= MAX_OUTBOUND_BYTES, `the slow consumer was closed after only ${slowSeqs.length} events`);
  assertInOrder(slowSeqs, 'slow consumer, before its close');

  await normal.waitUntil((c) => c.events('seq', channel).length >= SLOW_EVENTS, {
    timeout: 30_000,
    what: `all ${SLOW_EVENTS} events at the normal subscriber`,
  });
  assertInOrder(normal.events('seq', channel).map((m) => m.data.seq), 'normal subscriber');
  assert.equal(normal.closeInfo, undefined, 'the normal subscriber stays connected');
  await normal.ping();
  await other.check('after the slow consumer');

  const maxRss = rss.stop();
  t.diagnostic(`slow consumer got ${slowSeqs.length} of ${SLOW_EVENTS} events; node RSS peaked at ${maxRss.toFixed(1)} MB`);
  assert.ok(maxRss < RSS_LIMIT_MB, `node RSS reached ${maxRss.toFixed(1)} MB (bound ${RSS_LIMIT_MB} MB)`);
});

test('1. a Centrifuge client that stops reading is closed with 3008 past 4 MB of unread output; a normal subscriber gets every publication in order; RSS stays bounded', { timeout: 90_000 }, async (t) => {
  const channel = h.uniq('slowcf-');
  const token = (user) => cf.connToken(node.app, { sub: user });
  const { client: normal } = await cf.rawConnected(node, await token('normal'), { label: 'normal cf' });
  assert.ok((await normal.call('subscribe', { channel })).subscribe);
  const { client: slow } = await cf.rawConnected(node, await token('slow'), { label: 'slow cf' });
  assert.ok((await slow.call('subscribe', { channel })).subscribe);
  const other = await bystander();
  const rss = watchRss();

  slow.ws._socket.pause();
  const resume = () => slow.ws._socket.resume();
  const stopWatching = onSlowConsumerLog(resume);
  await publishInOrder(channel, SLOW_EVENTS);
  resume();
  stopWatching();

  const closed = await slow.waitClose(WAIT_MS);
  assert.equal(closed.code, 3008, `slow consumer closed with ${closed.code} "${closed.reason}"`);
  const pubSeqs = (client) => client.pushes((p) => p.channel === channel && p.pub).map((p) => p.pub.data.seq);
  const slowSeqs = pubSeqs(slow);
  assert.ok(slowSeqs.length < SLOW_EVENTS, `the slow consumer was cut off, yet got all ${slowSeqs.length} publications`);
  assert.ok(slowSeqs.length * 5_000 >= MAX_OUTBOUND_BYTES, `the slow consumer was closed after only ${slowSeqs.length} publications`);
  assertInOrder(slowSeqs, 'slow consumer, before its close');

  await normal.until((c) => pubSeqs(c).length >= SLOW_EVENTS, {
    timeout: 30_000,
    what: `all ${SLOW_EVENTS} publications at the normal subscriber`,
  });
  assertInOrder(pubSeqs(normal), 'normal subscriber');
  assert.equal(normal.closeInfo, undefined, 'the normal subscriber stays connected');
  await cfServed(normal, 'the normal subscriber is answered');
  await other.check('after the slow consumer');

  const maxRss = rss.stop();
  t.diagnostic(`slow consumer got ${slowSeqs.length} of ${SLOW_EVENTS} events; node RSS peaked at ${maxRss.toFixed(1)} MB`);
  assert.ok(maxRss < RSS_LIMIT_MB, `node RSS reached ${maxRss.toFixed(1)} MB (bound ${RSS_LIMIT_MB} MB)`);
});

// ---------------------------------------------------------------------------------------------
// 2. Floods

test('2. 150 pusher:ping frames at once close with 4100; 150 Centrifuge commands in one frame close with 3013; 50 frames a second for 3 s stay connected', T, async () => {
  const other = await bystander();
  const token = await cf.connToken(node.app, { sub: 'flooder' });

  // Steady senders first, so they run through the floods.
  const steadyPusher = await h.open(node, { label: 'steady pusher' });
  const { client: steadyCf } = await cf.rawConnected(node, await cf.connToken(node.app, { sub: 'steady' }), {
    label: 'steady cf',
  });
  const steadyIds = [];
  const steady = (async () => {
    for (let tick = 0; tick < 30; tick += 1) {
      for (let i = 0; i < 5; i += 1) {
        steadyPusher.send({ event: 'pusher:ping', data: {} });
        steadyIds.push(steadyCf.command('presence_stats', { channel: 'stats:probe' }));
      }
      await h.sleep(100);
    }
  })();

  // Pusher, byte level: the pings are the first frames of the connection, in one TCP write.
  const rawFlooder = await h.raw(node);
  assert.equal(rawFlooder.status, 101, rawFlooder.statusLine);
  await rawFlooder.waitFor((m) => m.event === 'pusher:connection_established', { timeout: WAIT_MS });
  rawFlooder.write(Buffer.concat(Array.from({ length: 150 }, () => h.textFrame({ event: 'pusher:ping', data: {} }))));
  const closeFrame = await rawFlooder.waitFrame((f) => f.opcode === 0x8, { timeout: WAIT_MS, what: 'the close frame' });
  assert.equal(closeFrame.payload.readUInt16BE(0), 4100, `raw flooder closed with ${closeFrame.payload.toString('latin1')}`);
  const rawPongs = rawFlooder.messages.filter((m) => m.event === 'pusher:pong').length;
  assert.ok(rawPongs <= MAX_REQUESTS_PER_SECOND, `${rawPongs} of the 150 pings were answered`);

  // Centrifuge: connect, then one frame of 150 commands.
  const { client: cfFlooder } = await cf.rawConnected(node, token, { label: 'cf flooder' });
  const ids = Array.from({ length: 150 }, (_, i) => i + 2);
  cfFlooder.send(ids.map((id) => ({ id, presence_stats: { channel: 'stats:probe' } })));
  const cfClose = await cfFlooder.waitClose(WAIT_MS);
  assert.equal(cfClose.code, 3013, `centrifuge flooder closed with ${cfClose.code} "${cfClose.reason}"`);
  assert.deepEqual(ids.filter((id) => cfFlooder.replyOf(id) !== undefined), [], 'no command of the flood was answered');

  await steady;
  await steadyPusher.waitUntil((c) => c.events('pusher:pong').length >= 150, {
    timeout: WAIT_MS,
    what: 'a pong for each of the 150 steady pings',
  });
  assert.equal(steadyPusher.closeInfo, undefined, 'the steady Pusher client stays connected');
  assert.equal(steadyPusher.events('pusher:error').length, 0, h.describeMessages(steadyPusher.messages));
  await steadyCf.until((c) => steadyIds.every((id) => c.replyOf(id)), {
    timeout: WAIT_MS,
    what: 'a reply to each of the 150 steady commands',
  });
  for (const id of steadyIds) {
    assert.equal(typeof steadyCf.replyOf(id).presence_stats, 'object', JSON.stringify(steadyCf.replyOf(id)));
  }
  assert.equal(steadyCf.closeInfo, undefined, 'the steady Centrifuge client stays connected');
  await other.check('after the floods');
});

// The flood above arrives as one burst. A client library floods frame by frame: each send is its
// own write, so the rest of the flood is still arriving when the node decides to close. The
// close code must reach the client all the same (4100 tells a Pusher client to back off before
// reconnecting; an abnormal 1006 makes it reconnect at once). Five flooders of each protocol.
// Sends `total` requests in batches of `perBatch`, each batch at least 1 s after the previous
// batch's first answer, so the per-second request limit is never what refuses them.
// `sendBatch(from, to)` sends one batch and returns {firstAnswered, allAnswered} promises.
async function paced(total, perBatch, sendBatch) {
  let lastAnswerAt = 0;
  const batches = [];
  for (let from = 0; from < total; from += perBatch) {
    const wait = lastAnswerAt + 1_050 - Date.now();
    if (wait > 0) await h.sleep(wait);
    const { firstAnswered, allAnswered } = sendBatch(from, Math.min(total, from + perBatch));
    await firstAnswered;
    lastAnswerAt = Date.now();
    batches.push(allAnswered);
  }
  await Promise.all(batches);
}

test('3. the 1,001st subscription of a connection is refused (Pusher LimitReached, Centrifuge 106); the connection stays open', T, async () => {
  const other = await bystander();
  const total = MAX_SUBSCRIPTIONS + 1;
  const perBatch = 91; // 11 batches of 91 = 1001
  const tag = crypto.randomBytes(3).toString('hex');

  // Pusher
  const pusherChannels = Array.from({ length: total }, (_, i) => `cap-${tag}-${i}`);
  const pusher = await h.open(node, { label: 'pusher subscriber' });
  const isOutcome = (m) => m.event === 'pusher_internal:subscription_succeeded' || m.event === 'pusher:subscription_error';
  const outcomes = new Map(); // channel -> message
  let scanned = 0;
  const answered = (channel) => {
    for (; scanned < pusher.messages.length; scanned += 1) {
      const m = pusher.messages[scanned];
      if (isOutcome(m) && !outcomes.has(m.channel)) outcomes.set(m.channel, m);
    }
    return outcomes.has(channel);
  };
  const pusherRun = paced(total, perBatch, (from, to) => {
    for (let i = from; i < to; i += 1) pusher.send({ event: 'pusher:subscribe', data: { channel: pusherChannels[i] } });
    return {
      firstAnswered: pusher.waitUntil(() => answered(pusherChannels[from]), { timeout: WAIT_MS, what: `subscription ${from}` }),
      allAnswered: pusher.waitUntil(() => pusherChannels.slice(from, to).every(answered), {
        timeout: WAIT_MS,
        what: `subscriptions ${from}..${to - 1}`,
      }),
    };
  });

  // Centrifuge
  const { client: centrifuge } = await cf.rawConnected(node, await cf.connToken(node.app, { sub: 'many' }), {
    label: 'cf subscriber',
  });
  await h.sleep(1_050); // the connect command's rate window is over
  const cfChannels = Array.from({ length: total }, (_, i) => `cfcap-${tag}-${i}`);
  const cfIds = [];
  const cfRun = paced(total, perBatch, (from, to) => {
    const commands = [];
    for (let i = from; i < to; i += 1) {
      cfIds[i] = centrifuge.nextId;
      centrifuge.nextId += 1;
      commands.push({ id: cfIds[i], subscribe: { channel: cfChannels[i] } });
    }
    centrifuge.send(commands);
    return {
      firstAnswered: centrifuge.waitReply(cfIds[from], { timeout: WAIT_MS }),
      allAnswered: centrifuge.until((c) => cfIds.slice(from, to).every((id) => c.replyOf(id)), {
        timeout: WAIT_MS,
        what: `subscribe replies ${from}..${to - 1}`,
      }),
    };
  });

  // The bystander is served while both connections subscribe.
  const bystanderRun = (async () => {
    for (let i = 0; i < 5; i += 1) {
      await other.check(`during the subscriptions ${i}`);
      await h.sleep(1_000);
    }
  })();
  await Promise.all([pusherRun, cfRun, bystanderRun]);

  // Pusher outcome
  answered(pusherChannels[0]);
  const refusedP = pusherChannels.filter((c) => outcomes.get(c).event !== 'pusher_internal:subscription_succeeded');
  assert.deepEqual(refusedP, [pusherChannels[MAX_SUBSCRIPTIONS]], 'only the 1,001st Pusher subscription is refused');
  const error = outcomes.get(pusherChannels[MAX_SUBSCRIPTIONS]);
  h.assertSubscriptionError(error, pusherChannels[MAX_SUBSCRIPTIONS]);
  assert.equal(error.data.type, 'LimitReached', error.raw);
  assert.equal(pusher.closeInfo, undefined, 'the Pusher connection stays open');
  await pusher.ping();
  await h.triggerOk(node, pusherChannels[MAX_SUBSCRIPTIONS - 1], 'on-the-last', 'x');
  await pusher.waitEvent('on-the-last', pusherChannels[MAX_SUBSCRIPTIONS - 1], { timeout: WAIT_MS });

  // Centrifuge outcome
  const refusedC = cfChannels.filter((c, i) => !centrifuge.replyOf(cfIds[i]).subscribe);
  assert.deepEqual(refusedC, [cfChannels[MAX_SUBSCRIPTIONS]], 'only the 1,001st Centrifuge subscription is refused');
  const cfError = centrifuge.replyOf(cfIds[MAX_SUBSCRIPTIONS]);
  assert.equal(cfError.error?.code, 106, JSON.stringify(cfError));
  assert.equal(centrifuge.closeInfo, undefined, 'the Centrifuge connection stays open');
  await cfServed(centrifuge, 'the capped connection is answered');

  await other.check('after the subscriptions');
});

// ---------------------------------------------------------------------------------------------
// 4. Stalled request body

test('4. a POST whose body never arrives (Content-Length: 100, none or 40 bytes sent) is closed by the node within 15 s; other requests are served', { timeout: 30_000 }, async () => {
  const other = await bystander();
  const body = Buffer.from(JSON.stringify({ name: 'never', channels: [other.channel], data: 'x' }));
  assert.ok(body.length <= 100);
  const padded = Buffer.concat([body, Buffer.alloc(100 - body.length, 0x20)]);
  const head = (target) =>
    `POST ${target} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
  const path = `/apps/${node.app.id}/events`;

  const started = Date.now();
  const none = await rawTcp();
  none.socket.write(head(signedTarget('POST', path, padded)));
  const partial = await rawTcp();
  partial.socket.write(Buffer.concat([Buffer.from(head(signedTarget('POST', path, padded))), padded.subarray(0, 40)]));

  // Served meanwhile.
  for (let i = 0; i < 3; i += 1) {
    await other.check(`while a body is stalled ${i}`);
    const health = await h.api(node, 'GET', '/healthz');
    assert.equal(health.status, 200);
    await h.sleep(1_000);
  }

  for (const [what, conn] of [['no body', none], ['40 of 100 bytes', partial]]) {
    const left = 15_000 - (Date.now() - started);
    await h.withTimeout(conn.closed, Math.max(left, 0), `the node closing the stalled request (${what})`);
    assert.equal(conn.closedByUs, false);
    assert.doesNotMatch(conn.received.toString('latin1'), /^HTTP\/1\.[01] 2/, `${what}: the incomplete request was served`);
  }
  assert.equal(other.client.events('never').length, 0, 'the incomplete request published nothing');
  await other.check('after the stalled bodies');
});

// ---------------------------------------------------------------------------------------------
// 5. Handshake that never completes

test('5. a WebSocket upgrade with bare-LF line endings (a handshake that never completes) is closed by the node within 15 s', { timeout: 30_000 }, async () => {
  const other = await bystander();
  const started = Date.now();
  const conn = await rawTcp();
  const key = crypto.randomBytes(16).toString('base64');
  conn.socket.write(
    `GET /app/${node.app.key}?${h.CLIENT_QUERY} HTTP/1.1\nHost: ${HOST}:${node.port}\nUpgrade: websocket\n` +
      `Connection: Upgrade\nSec-WebSocket-Key: ${key}\nSec-WebSocket-Version: 13\n\n`,
  );

  // New connections and the bystander are served meanwhile.
  for (let i = 0; i < 3; i += 1) {
    const fresh = await h.open(node, { label: `fresh ${i}` });
    await fresh.ping();
    await fresh.close();
    await other.check(`while a handshake hangs ${i}`);
    await h.sleep(1_000);
  }

  await h.withTimeout(conn.closed, Math.max(15_000 - (Date.now() - started), 0), 'the node closing the unfinished handshake');
  assert.equal(conn.closedByUs, false);
  assert.doesNotMatch(conn.received.toString('latin1'), /^HTTP\/1\.1 101/, 'the bare-LF handshake was not upgraded');
  await other.check('after the handshake');
});

// ---------------------------------------------------------------------------------------------
// 6. A response never read

test('6. pipelined GET /healthz requests whose responses are never read: the node releases the socket within 15 s', { timeout: 40_000 }, async () => {
  const other = await bystander();
  // Enough responses (~110 bytes each) that they cannot all sit in the kernel's socket buffers
  // (send buffer at most tcp_wmem[2]): the rest stays in the node, which must not wait for it.
  const wmemMax = Number(fs.readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
  const count = Math.max(2_000, Math.ceil((wmemMax + 1024 * 1024) / 100));
  const conn = await rawTcp();
  conn.socket.pause();
  const requests = [];
  for (let i = 0; i < count; i += 1) {
    requests.push(`GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\n${i === count - 1 ? 'Connection: close\r\n' : ''}\r\n`);
  }
  const started = Date.now();
  await new Promise((resolve, reject) => conn.socket.write(requests.join(''), (error) => (error ? reject(error) : resolve())));
  assert.ok(nodeSocketFor(conn.socket.localPort), 'the node holds the connection after the requests');

  await other.check('while responses go unread');
  await pollUntil(() => !nodeSocketFor(conn.socket.localPort), Math.max(15_000 - (Date.now() - started), 0),
    `release by the node of the socket whose ${count} responses are never read`);
  await other.check('after the unread responses');

  // Reading now: what the kernel still held, then the end; not every response was delivered,
  // so the node did hold output it could not send (the case under test).
  conn.socket.resume();
  await h.withTimeout(conn.closed, WAIT_MS, 'the end of the stream');
  assert.equal(conn.closedByUs, false);
  const delivered = conn.received.toString('latin1').split('HTTP/1.1 200').length - 1;
  assert.ok(delivered > 0 && delivered < count, `${delivered} of ${count} responses arrived`);
});

// ---------------------------------------------------------------------------------------------
// 7. Cache channels

test('7. 2,000 publishes to distinct cache channels all succeed and a later subscriber gets the replay', T, async () => {
  const other = await bystander();
  const tag = crypto.randomBytes(3).toString('hex');
  const channelOf = (i) => `cache-u-${tag}-${i}`;
  const dataOf = (i) => `${i}:${'d'.repeat(1_024)}`;
  const total = 2_000;
  const statuses = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next;
      next += 1;
      statuses[i] = (await h.trigger(node, channelOf(i), 'cached', dataOf(i))).status;
      if (i % 500 === 0) await other.check(`during the cache publishes ${i}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const failed = statuses.map((s, i) => [i, s]).filter(([, s]) => s !== 200);
  assert.deepEqual(failed, [], 'every publish answers 200');

  for (const i of [0, 1_234, total - 1]) {
    const subscriber = await h.open(node, { label: `cache subscriber ${i}` });
    await h.subOk(subscriber, channelOf(i));
    const replay = await subscriber.waitFor((m) => m.channel === channelOf(i) && m.event !== 'pusher_internal:subscription_succeeded', {
      timeout: WAIT_MS,
      what: `the replay on ${channelOf(i)}`,
    });
    assert.equal(replay.event, 'cached', replay.raw);
    assert.equal(replay.rawData, dataOf(i));
  }
  await other.check('after the cache publishes');
});

// ---------------------------------------------------------------------------------------------
// 8. Reserved event names

test('8. the HTTP API refuses event names pusher:foo and pusher_internal:x with 400 saying they are reserved', T, async () => {
  const other = await bystander();
  const mark = other.client.mark();
  for (const name of ['pusher:foo', 'pusher_internal:x']) {
    const response = await h.trigger(node, other.channel, name, 'forged');
    assert.equal(response.status, 400, `${name}: ${response.status} ${response.text}`);
    assert.match(response.text, /reserved/i, `${name}: ${response.text}`);

    const batch = await h.api(node, 'POST', `/apps/${node.app.id}/batch_events`, {
      body: { batch: [{ channel: other.channel, name, data: 'forged' }] },
    });
    assert.equal(batch.status, 400, `${name} in a batch: ${batch.status} ${batch.text}`);
    assert.match(batch.text, /reserved/i, `${name} in a batch: ${batch.text}`);
  }
  await other.check('after the reserved names');
  const seen = other.client.since(mark).filter((m) => m.channel === other.channel).map((m) => m.event);
  assert.deepEqual(seen, ['still-here'], 'nothing but the check event reached the subscriber');
});

// ---------------------------------------------------------------------------------------------
// 9. Presence user ids beyond 2^53

test('9. presence channel_data with user_id 1e300 or 9007199254740993 is refused; the socket stays open', T, async () => {
  const other = await bystander();
  const channel = h.uniq('presence-big-');
  const watcher = await h.open(node, { label: 'presence watcher' });
  await h.subOk(watcher, channel, { user: { id: 'watcher' } });
  const mark = watcher.mark();

  const client = await h.open(node, { label: 'big user id' });
  for (const channelData of ['{"user_id":1e300}', '{"user_id":9007199254740993}']) {
    const reply = await h.sub(client, channel, { channel_data: channelData });
    assert.equal(reply.event, 'pusher:subscription_error', `${channelData}: ${reply.raw}`);
    h.assertSubscriptionError(reply, channel);
    assert.equal(client.closeInfo, undefined, `${channelData}: the socket stays open`);
    await client.ping();
  }

  // The largest safe integer is an ordinary user id.
  const ok = await h.sub(client, channel, { channel_data: '{"user_id":9007199254740991}' });
  assert.equal(ok.event, 'pusher_internal:subscription_succeeded', ok.raw);
  assert.deepEqual([...ok.data.presence.ids].sort(), ['9007199254740991', 'watcher']);
  const added = await watcher.waitEvent('pusher_internal:member_added', channel, { timeout: WAIT_MS });
  assert.equal(added.data.user_id, '9007199254740991', 'the first member added is the valid id');
  assert.equal(watcher.since(mark).filter((m) => m.event === 'pusher_internal:member_added').length, 1);

  const users = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${channel}/users`);
  assert.equal(users.status, 200, users.text);
  assert.deepEqual(users.json.users.map((u) => u.id).sort(), ['9007199254740991', 'watcher']);
  await other.check('after the big user ids');
});
