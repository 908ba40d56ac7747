'use strict';

// Hostile clients at the WebSocket wire level (RFC 6455), byte by byte through the raw socket of
// lib/helpers.js (h.raw, h.frame):
//
//  1. invalid UTF-8 in a text frame (c3 28; the overlong c0 af) closes a Pusher and a Centrifuge
//     connection with 1007 (RFC 6455 8.1, 7.4.1); so does an invalid sequence split across two
//     fragments of one message (c3 | 28); a valid character split the same way (c3 | a9,
//     e2 82 | ac) is reassembled and processed (RFC 6455 5.6);
//  2. fragmentation and control frames: a message in 3 fragments with a ping between them is
//     reassembled and processed, and the ping answered with a pong carrying its payload; a ping
//     without FIN, a ping of 126 bytes, a continuation frame with no message begun and a new text
//     frame inside an unfinished fragmented message each close the connection with 1002;
//  3. half-open TCP: a client that half-closes after the upgrade (FIN, still reading) is closed
//     by the node, and dnotifier_client_connections in /metrics returns to its earlier value.
//     A client that stops answering altogether is closed with 4201 once activity_timeout and
//     pong_timeout have passed: activity.test.js covers it ("a silent client gets pusher:ping and
//     is then closed with 4201", with activity_timeout and pong_timeout of 2 s); the node cannot
//     tell a client that reads and never answers from one that does not read at all, so it is
//     not repeated here;
//  4. 10,000 pusher:subscribe frames within a second on one connection (frame by frame, each
//     its own write, as a client library sends them) close it with 4100
//     (max_messages_per_second, 100 by default), and GET /apps/{id}/channels then lists none of
//     its channels (three subscribed before the flood, seen listed, and the flood's);
//  5. a reconnect storm: 3,000 connections in waves of 300 (each waits for
//     connection_established and subscribes), dropped without a close frame (socket destroy)
//     and opened once more (then dropped with a TCP reset); the node's open file descriptors and
//     dnotifier_client_connections return to their values from before the storm, and no storm
//     channel stays listed.
//
// Every test keeps a well-behaved Pusher client (the bystander) subscribed to a channel of its
// own while 20 numbered events are published to it through the signed HTTP API, spread across
// the attack; afterwards the bystander must have every one of them, in order, the node process
// must be the same one (same PID, still running) and a fresh client must connect, subscribe and
// get its pong. Waits are generous "within N s" harness bounds, never pass/fail timings. Only
// 127.0.0.1 is used; the node is started and stopped by its PID (useNode).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

const T = { timeout: 60_000 };
const WAIT_MS = 10_000; // generous harness wait; never a pass/fail timing
const EVENTS = 20; // numbered events published to the bystander during each attack

const node = useNode({}, 'hostile-wire');

const CENTRIFUGE_PATH = '/connection/websocket';
const OP = { continuation: 0x0, text: 0x1, close: 0x8, ping: 0x9, pong: 0xa };

// ---------------------------------------------------------------------------------------------
// Helpers

// The bystander: a Pusher client subscribed to a channel of its own. publish() queues the next
// numbered event (published strictly one after the other, so they have one order); flush()
// waits until every queued event was accepted by the API.
async function bystander() {
  const channel = h.uniq('bystander-');
  const client = await h.open(node, { label: 'bystander' });
  await h.subOk(client, channel);
  let queue = Promise.resolve();
  const b = {
    client,
    channel,
    pid: node.pid,
    published: 0,
    publish() {
      const n = b.published;
      b.published += 1;
      queue = queue.then(() => h.triggerOk(node, channel, 'numbered', JSON.stringify({ n })));
      queue.catch(() => {}); // a failure is reported by flush(), which every test awaits
      return queue;
    },
    flush() {
      return queue;
    },
  };
  return b;
}

// Runs `attack()` while EVENTS numbered events are published to the bystander, one every
// `everyMs`; resolves with what the attack resolved with, once every event was accepted.
async function during(other, everyMs, attack) {
  let stop = false;
  const publishing = (async () => {
    for (let i = 0; i < EVENTS && !stop; i += 1) {
      await other.publish();
      if (i < EVENTS - 1) await h.sleep(everyMs);
    }
  })();
  publishing.catch(() => {}); // awaited below
  let result;
  try {
    result = await attack();
  } catch (error) {
    stop = true;
    await publishing.catch(() => {});
    throw error;
  }
  await publishing;
  await other.flush();
  return result;
}

// What every test checks after its attack: the bystander got every numbered event, in order,
// and is still served; the node is the same process; a fresh client connects and subscribes.
async function assertSurvived(other, what) {
  await other.flush();
  const { client, channel } = other;
  const numbers = () => client.events('numbered', channel).map((m) => m.data.n);
  await client
    .waitUntil((c) => c.events('numbered', channel).length >= other.published, {
      timeout: WAIT_MS,
      what: `all ${other.published} numbered events at the bystander (${what})`,
    })
    .catch((error) => {
      throw new Error(`${error.message}\nnumbers received: ${JSON.stringify(numbers())}`);
    });
  assert.deepEqual(
    numbers(),
    Array.from({ length: other.published }, (_, i) => i),
    `${what}: the bystander must get every numbered event once, in order`,
  );
  assert.equal(client.closeInfo, undefined, `${what}: the bystander stays connected`);
  await client.ping(WAIT_MS);

  assert.ok(node.alive, `${what}: the node process exited: ${JSON.stringify(node.exitInfo)}`);
  assert.equal(node.pid, other.pid, `${what}: the node process changed`);
  assert.ok(fs.existsSync(`/proc/${other.pid}`), `${what}: no process ${other.pid} any more`);

  const fresh = await h.open(node, { label: `fresh client after ${what}`, timeout: WAIT_MS });
  await h.subOk(fresh, h.uniq('fresh-'), { timeout: WAIT_MS });
  await fresh.ping(WAIT_MS);
  await fresh.close();
}

// Keeps the last TCP error of a raw socket (ECONNRESET when the node resets the connection).
function watchErrors(socket) {
  socket.socket.on('error', (error) => {
    socket.lastError = error.code ?? error.message;
  });
  return socket;
}

// A raw Pusher connection past pusher:connection_established.
async function rawPusher() {
  const socket = watchErrors(await h.raw(node));
  assert.equal(socket.status, 101, socket.statusLine);
  await socket.waitFor((m) => m.event === 'pusher:connection_established', { timeout: WAIT_MS });
  return socket;
}

// Subscribes a raw Pusher connection to a public channel; fails unless it succeeds.
async function rawSubscribe(socket, channel) {
  socket.write(h.textFrame({ event: 'pusher:subscribe', data: { auth: '', channel } }));
  const reply = await socket.waitFor((m) => m.channel === channel || m.event === 'pusher:error', {
    timeout: WAIT_MS,
    what: `the answer to subscribing to ${channel}`,
  });
  assert.equal(reply.event, 'pusher_internal:subscription_succeeded', reply.raw);
}

// A raw Centrifuge connection past its connect command (answered with a connect result).
async function rawCentrifuge() {
  const socket = watchErrors(await h.raw(node, { path: CENTRIFUGE_PATH }));
  assert.equal(socket.status, 101, socket.statusLine);
  const token = await cf.connToken(node.app, { sub: 'wire' });
  socket.write(h.textFrame({ id: 1, connect: { token, name: 'wire' } }));
  const reply = await socket.waitFor((m) => m.json?.id === 1, { timeout: WAIT_MS, what: 'the connect reply' });
  assert.ok(reply.json.connect, `centrifuge connect failed: ${reply.raw}`);
  return socket;
}

function describeFrames(socket) {
  const names = { 0: 'cont', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };
  return (
    socket.frames
      .slice(-6)
      .map((f) => {
        const what = `${names[f.opcode] ?? f.opcode}${f.fin ? '' : '(no FIN)'}`;
        if (f.opcode === OP.close && f.payload.length >= 2) {
          return `${what} ${f.payload.readUInt16BE(0)} "${f.payload.subarray(2).toString('utf8')}"`;
        }
        return `${what} ${f.payload.toString('latin1').slice(0, 80)}`;
      })
      .join(' | ') || '(no frames)'
  );
}

// How the node ended `socket`: {code, reason} of its close frame, or {code: null, how} when no
// close frame arrived (the TCP connection ended without one, or nothing happened).
async function closeOutcome(socket) {
  try {
    const f = await socket.waitFrame((fr) => fr.opcode === OP.close, { timeout: WAIT_MS, what: 'the close frame' });
    if (f.payload.length < 2) return { code: null, how: `a close frame of ${f.payload.length} bytes` };
    return { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString('utf8') };
  } catch {
    const error = socket.lastError ? ` (socket error ${socket.lastError})` : '';
    const how = socket.ended ? `TCP ended without a close frame${error}` : `no close frame within ${WAIT_MS} ms`;
    return { code: null, how: `${how}; last frames: ${describeFrames(socket)}` };
  }
}

// Asserts that every outcome ([what, {code, ...}]) has the expected close code, reporting all of
// them at once.
function assertCloseCodes(outcomes, expected) {
  const describe = (o) => (o.code === null ? `no close code (${o.how})` : `${o.code} "${o.reason}"`);
  const got = outcomes.map(([what, o]) => `${what}: ${describe(o)}`);
  const bad = outcomes.filter(([, o]) => o.code !== expected);
  assert.deepEqual(
    bad.map(([what]) => what),
    [],
    `expected close ${expected} for every case; got:\n  ${got.join('\n  ')}`,
  );
}

// A masked client frame (h.frame); `payload` is a Buffer or a string.
const wireFrame = (opcode, payload, fin = true) => h.frame({ opcode, fin, payload });

// dnotifier_client_connections from /metrics.
async function clientConnections() {
  const response = await h.api(node, 'GET', '/metrics');
  assert.equal(response.status, 200, response.text);
  const match = /^dnotifier_client_connections (\d+)$/m.exec(response.text);
  assert.ok(match, `no dnotifier_client_connections in /metrics:\n${response.text.slice(0, 500)}`);
  return Number(match[1]);
}

// Polls `probe()` (async) every 100 ms until `done(value)`; returns the last value either way.
async function pollUntil(probe, done, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await h.sleep(100);
  }
}

// Names of the channels of the default app listed by the HTTP API that start with `prefix`.
async function listedChannels(prefix) {
  const response = await h.api(node, 'GET', `/apps/${node.app.id}/channels`, { query: { filter_by_prefix: prefix } });
  assert.equal(response.status, 200, response.text);
  return Object.keys(response.json.channels ?? {});
}

function openFds(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// ---------------------------------------------------------------------------------------------
// 1. Invalid UTF-8

// Text payloads whose JSON carries invalid UTF-8 inside a string.
const INVALID_UTF8 = [
  ['c3 28 (a two-byte lead and no continuation byte)', Buffer.from([0xc3, 0x28])],
  ['c0 af (an overlong encoding of "/")', Buffer.from([0xc0, 0xaf])],
];
const withBytes = (before, bytes, after) => Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]);

// `payload` as one message in two fragments (text without FIN, then a final continuation), cut
// `cut` bytes into `bytes` (the first place they occur in it).
function twoFragments(payload, bytes, cut) {
  const at = payload.indexOf(bytes) + cut;
  return Buffer.concat([wireFrame(OP.text, payload.subarray(0, at), false), wireFrame(OP.continuation, payload.subarray(at))]);
}

test('1. invalid UTF-8 in a text frame closes a Pusher and a Centrifuge connection with 1007, also when split across two fragments', T, async (t) => {
  const other = await bystander();
  const outcomes = await during(other, 30, async () => {
    const results = [];
    const protocols = [
      ['Pusher', rawPusher, (bytes) => withBytes('{"event":"pusher:ping","data":"', bytes, '"}')],
      ['Centrifuge', rawCentrifuge, (bytes) => withBytes('{"id":2,"rpc":{"method":"', bytes, '"}}')],
    ];
    for (const [protocol, openRaw, payloadWith] of protocols) {
      for (const [name, bytes] of INVALID_UTF8) {
        const socket = await openRaw();
        socket.write(wireFrame(OP.text, payloadWith(bytes)));
        results.push([`${protocol}, ${name}`, await closeOutcome(socket)]);
      }
      // c3 ends the first fragment (a sequence not yet complete, valid so far); 28 starts the
      // second, which makes it invalid.
      const invalid = Buffer.from([0xc3, 0x28]);
      const socket = await openRaw();
      socket.write(twoFragments(payloadWith(invalid), invalid, 1));
      results.push([`${protocol}, c3 | 28 split across two fragments`, await closeOutcome(socket)]);
    }
    return results;
  });

  await assertSurvived(other, 'invalid UTF-8');
  for (const [what, o] of outcomes) t.diagnostic(`${what}: ${o.code ?? o.how} ${o.reason ?? ''}`);
  assertCloseCodes(outcomes, 1007);
});

// RFC 6455 5.6: "a particular text frame might include a partial UTF-8 sequence; however, the
// whole message MUST contain valid UTF-8". The counterpart of the split c3 | 28 above: valid
// characters split the same way must be reassembled and processed, not refused.
const VALID_SPLITS = [
  ['"é" (c3 | a9)', Buffer.from([0xc3, 0xa9]), 1],
  ['"€" (e2 82 | ac)', Buffer.from([0xe2, 0x82, 0xac]), 2],
];

// `yes` once `socket` gets a message matching `pred`; else how the node ended the connection.
async function answered(socket, pred, yes) {
  try {
    await socket.waitFor(pred, { timeout: WAIT_MS, what: 'the answer' });
    return yes;
  } catch {
    const o = await closeOutcome(socket);
    return `not answered; ${o.code === null ? o.how : `closed with ${o.code} "${o.reason}"`}`;
  }
}

test('1. a valid character split across two fragments of one message is accepted (Pusher and Centrifuge)', T, async (t) => {
  const other = await bystander();
  const outcomes = await during(other, 30, async () => {
    const results = [];
    for (const [name, bytes, cut] of VALID_SPLITS) {
      // Pusher: a pusher:ping whose data holds the character, answered with pusher:pong.
      const pusher = await rawPusher();
      pusher.write(twoFragments(withBytes('{"event":"pusher:ping","data":"', bytes, '"}'), bytes, cut));
      results.push([`Pusher, ${name}`, await answered(pusher, (m) => m.event === 'pusher:pong', 'answered with pusher:pong')]);

      // Centrifuge: an rpc command whose method holds the character, answered by its id.
      const centrifuge = await rawCentrifuge();
      centrifuge.write(twoFragments(withBytes('{"id":2,"rpc":{"method":"', bytes, '"}}'), bytes, cut));
      results.push([`Centrifuge, ${name}`, await answered(centrifuge, (m) => m.json?.id === 2, 'answered by its id')]);
    }
    return results;
  });

  await assertSurvived(other, 'valid split characters');
  for (const [what, o] of outcomes) t.diagnostic(`${what}: ${o}`);
  assert.deepEqual(
    outcomes.filter(([, o]) => !o.startsWith('answered')).map(([what]) => what),
    [],
    `every valid split character must be accepted; got:\n  ${outcomes.map(([w, o]) => `${w}: ${o}`).join('\n  ')}`,
  );
});

// ---------------------------------------------------------------------------------------------
// 2. Fragmentation and control frames

test('2. a message in 3 fragments with a ping between them is processed and the ping answered; malformed fragmentation and control frames close with 1002', T, async (t) => {
  const other = await bystander();
  const channel = h.uniq('fragments-');
  const pingPayload = Buffer.from('between-fragments');

  const { reassembled, outcomes } = await during(other, 30, async () => {
    // pusher:subscribe in 3 fragments, a ping after the first.
    const subscribe = Buffer.from(JSON.stringify({ event: 'pusher:subscribe', data: { auth: '', channel } }));
    const third = Math.floor(subscribe.length / 3);
    const socket = await rawPusher();
    socket.write(
      Buffer.concat([
        wireFrame(OP.text, subscribe.subarray(0, third), false),
        wireFrame(OP.ping, pingPayload),
        wireFrame(OP.continuation, subscribe.subarray(third, 2 * third), false),
        wireFrame(OP.continuation, subscribe.subarray(2 * third)),
      ]),
    );
    const pong = await socket.waitFrame((f) => f.opcode === OP.pong, { timeout: WAIT_MS, what: 'the pong' });
    const succeeded = await socket.waitFor(
      (m) => m.event === 'pusher_internal:subscription_succeeded' || m.event === 'pusher:error' || m.event === 'pusher:subscription_error',
      { timeout: WAIT_MS, what: 'the answer to the fragmented subscribe' },
    );

    const results = [];
    const cases = [
      ['a ping without FIN (a fragmented control frame)', wireFrame(OP.ping, 'half a ping', false)],
      ['a ping with a 126-byte payload', wireFrame(OP.ping, Buffer.alloc(126, 0x61))],
      ['a continuation frame with no message begun', wireFrame(OP.continuation, '{"event":"pusher:ping","data":{}}')],
      [
        'a new text frame while a fragmented message is unfinished',
        Buffer.concat([wireFrame(OP.text, '{"event":"pusher:', false), wireFrame(OP.text, '{"event":"pusher:ping","data":{}}')]),
      ],
    ];
    for (const [what, bytes] of cases) {
      const attacker = await rawPusher();
      attacker.write(bytes);
      results.push([what, await closeOutcome(attacker)]);
    }
    return { reassembled: { socket, pong, succeeded }, outcomes: results };
  });

  const { socket, pong, succeeded } = reassembled;
  assert.equal(pong.fin, true, 'the pong is one frame');
  assert.equal(pong.masked, false, 'server frames are not masked');
  assert.deepEqual(pong.payload, pingPayload, 'the pong carries the ping payload');
  assert.equal(succeeded.event, 'pusher_internal:subscription_succeeded', succeeded.raw);
  assert.equal(succeeded.channel, channel);
  // The subscription is real: an event on the channel reaches the raw socket.
  await h.triggerOk(node, channel, 'after-fragments', '"ok"');
  await socket.waitFor((m) => m.event === 'after-fragments' && m.channel === channel, { timeout: WAIT_MS });
  assert.equal(socket.frames.filter((f) => f.opcode === OP.close).length, 0, 'the reassembling connection stays open');

  await assertSurvived(other, 'malformed fragmentation');
  for (const [what, o] of outcomes) t.diagnostic(`${what}: ${o.code ?? o.how} ${o.reason ?? ''}`);
  assertCloseCodes(outcomes, 1002);
});

// ---------------------------------------------------------------------------------------------
// 3. Half-open TCP

test('3. a client that half-closes TCP after the upgrade is closed by the node and no longer counted in /metrics', T, async (t) => {
  const other = await bystander();
  const before = await clientConnections();

  const results = await during(other, 30, async () => {
    const out = [];
    for (const [protocol, openRaw] of [['Pusher', rawPusher], ['Centrifuge', rawCentrifuge]]) {
      const socket = await openRaw();
      const counted = await pollUntil(clientConnections, (n) => n === before + 1, WAIT_MS);
      assert.equal(counted, before + 1, `${protocol}: the half-closing connection is counted while open`);
      let serverEnded = false;
      socket.socket.once('end', () => {
        serverEnded = true;
      });
      socket.socket.end(); // FIN; the socket keeps reading
      await h.withTimeout(socket.endedPromise, WAIT_MS, `${protocol}: the node closing its side of a half-closed connection`);
      const after = await pollUntil(clientConnections, (n) => n === before, WAIT_MS);
      out.push({ protocol, serverEnded, after, frames: describeFrames(socket) });
    }
    return out;
  });

  await assertSurvived(other, 'half-closed connections');
  for (const r of results) {
    t.diagnostic(`${r.protocol}: after the node closed, frames received: ${r.frames}`);
    assert.equal(r.serverEnded, true, `${r.protocol}: the node ended its side of the TCP connection (FIN)`);
    assert.equal(r.after, before, `${r.protocol}: dnotifier_client_connections returns to ${before}`);
  }
});

// ---------------------------------------------------------------------------------------------
// 4. Subscribe flood

const FLOOD = 10_000;

// The close code must reach a client that is still sending: 4100 is what tells a Pusher client
// to back off before reconnecting (the node reads and discards the rest of the flood after its
// close frame instead of resetting the connection).
test('4. 10,000 pusher:subscribe frames within a second close the connection with 4100; none of the flood channels stays listed', T, async (t) => {
  const other = await bystander();
  const prefix = `flood-${crypto.randomBytes(3).toString('hex')}-`;

  const { outcome, sentMs, subscribed } = await during(other, 50, async () => {
    const flooder = await rawPusher();
    // Three channels subscribed before the flood and seen listed by the API: the clean-up check
    // below then has something to remove.
    const before = [0, 1, 2].map((i) => `${prefix}pre-${i}`);
    for (const channel of before) await rawSubscribe(flooder, channel);
    assert.deepEqual((await listedChannels(prefix)).sort(), before, 'the channels subscribed before the flood are listed');
    // Frame by frame, each frame its own write, as a client library sends.
    const frames = Array.from({ length: FLOOD }, (_, i) =>
      h.textFrame({ event: 'pusher:subscribe', data: { auth: '', channel: `${prefix}${i}` } }),
    );
    const started = Date.now();
    for (const f of frames) flooder.write(f);
    const sent = Date.now() - started;
    const result = await closeOutcome(flooder);
    const ok = flooder.messages.filter(
      (m) => m.event === 'pusher_internal:subscription_succeeded' && !before.includes(m.channel),
    ).length;
    return { outcome: result, sentMs: sent, subscribed: ok };
  });
  t.diagnostic(
    `flood written in ${sentMs} ms; ${subscribed} subscription_succeeded seen before the close; ` +
      `close: ${outcome.code ?? outcome.how} ${outcome.reason ?? ''}`,
  );
  assert.ok(sentMs < 1_000, `the flood was handed to the socket in ${sentMs} ms, not within one second`);

  const left = await pollUntil(() => listedChannels(prefix), (names) => names.length === 0, WAIT_MS);
  assert.deepEqual(left, [], 'no channel of the flooder (subscribed before or during the flood) stays occupied once it is gone');
  assert.ok(subscribed <= 100, `${subscribed} subscriptions of the flood were accepted (limit 100 frames a second)`);

  await assertSurvived(other, 'the subscribe flood');
  assertCloseCodes([['the flooder', outcome]], 4100);
  assert.match(outcome.reason, /per second/, 'the 4100 close says why');
});

// ---------------------------------------------------------------------------------------------
// 5. Reconnect storm

const STORM_CONNECTIONS = 3_000;
const STORM_WAVE = 300;
const FD_MARGIN = 16; // descriptors the node may hold beyond its baseline (HTTP keep-alive, timers)

test('5. a reconnect storm of 3,000 connections (dropped without a close frame, opened again) leaves no descriptor or connection behind', { timeout: 90_000 }, async (t) => {
  const other = await bystander();
  const pid = node.pid;
  const prefix = `storm-${crypto.randomBytes(3).toString('hex')}-`;
  await clientConnections(); // the HTTP keep-alive connection the checks below reuse
  const connectionsBefore = await clientConnections();
  const fdsBefore = openFds(pid);

  // One storm connection: upgrade, connection_established, subscribe, subscription_succeeded.
  const stormConnection = async (i) => {
    const socket = await rawPusher();
    await rawSubscribe(socket, `${prefix}${i % 10}`);
    return socket;
  };
  // Dropped without a close frame: the first round with a FIN (destroy), the second with a
  // TCP reset (resetAndDestroy).
  const dropAll = (sockets, reset) =>
    Promise.all(
      sockets.map((s) => {
        if (!reset) return s.destroy();
        s.socket.resetAndDestroy();
        return s.endedPromise;
      }),
    );

  const started = Date.now();
  let peakFds = fdsBefore;
  // 10 waves of 2 rounds (opened, dropped; opened again, dropped). A numbered event is published
  // as each round starts, so the 20 events spread over the whole storm.
  for (let from = 0; from < STORM_CONNECTIONS; from += STORM_WAVE) {
    for (let round = 0; round < 2; round += 1) {
      other.publish();
      const ids = Array.from({ length: STORM_WAVE }, (_, k) => from + k);
      const sockets = await Promise.all(ids.map(stormConnection));
      peakFds = Math.max(peakFds, openFds(pid));
      await dropAll(sockets, round === 1);
    }
  }
  await other.flush();
  const stormMs = Date.now() - started;
  assert.equal(other.published, EVENTS);

  const fdsAfter = await pollUntil(() => openFds(pid), (n) => n <= fdsBefore + FD_MARGIN, 30_000);
  const connectionsAfter = await pollUntil(clientConnections, (n) => n === connectionsBefore, 30_000);
  const left = await pollUntil(() => listedChannels(prefix), (names) => names.length === 0, WAIT_MS);
  t.diagnostic(
    `storm of ${2 * STORM_CONNECTIONS} connections in ${stormMs} ms; node fds ${fdsBefore} before, ` +
      `${peakFds} at the peak, ${fdsAfter} after; client connections ${connectionsBefore} before, ${connectionsAfter} after`,
  );
  assert.ok(peakFds >= fdsBefore + STORM_WAVE, `the node never held a wave's ${STORM_WAVE} sockets (peak ${peakFds})`);
  assert.ok(fdsAfter <= fdsBefore + FD_MARGIN, `the node holds ${fdsAfter} descriptors, ${fdsBefore} before the storm`);
  assert.equal(connectionsAfter, connectionsBefore, 'dnotifier_client_connections returns to its value before the storm');
  assert.deepEqual(left, [], 'no storm channel stays occupied');

  await assertSurvived(other, 'the reconnect storm');
});
