'use strict';

// Malformed input must hurt only its sender; frames sent right after the upgrade are processed
// in order (B11, B13).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode, startNode } = require('./lib/node');
const h = require('./lib/helpers');

const node = useNode({}, 'robustness');
const T = { timeout: 120_000 };

// One malformed frame per attacker connection (B11). `send(ws)` writes the frame.
const MALFORMED = [
  ['empty channel name', (c) => c.send({ event: 'pusher:subscribe', data: { auth: '', channel: '' } })],
  ['subscribe without data', (c) => c.send({ event: 'pusher:subscribe' })],
  ['data as the string "{}"', (c) => c.send({ event: 'pusher:subscribe', data: '{}' })],
  ['channel null', (c) => c.send({ event: 'pusher:subscribe', data: { auth: '', channel: null } })],
  ['channel 123', (c) => c.send({ event: 'pusher:subscribe', data: { auth: '', channel: 123 } })],
  ['non-JSON text {{{', (c) => c.sendText('{{{')],
  ['a JSON array []', (c) => c.sendText('[]')],
  ['a binary frame', (c) => c.ws.send(Buffer.from('{"event":"pusher:ping","data":{}}'), { binary: true })],
  ['event not a string', (c) => c.send({ event: 42, data: {} })],
  ['signin without data', (c) => c.send({ event: 'pusher:signin' })],
];

const isErrorEvent = (m) => m.event === 'pusher:error' || m.event === 'pusher:subscription_error';

test('B11: every malformed frame gets an error (or a 4000-range close) and a bystander keeps receiving', T, async () => {
  const pid = node.pid;
  const victim = await h.open(node);
  const news = h.uniq('news-');
  await h.subOk(victim, news);

  for (const [what, send] of MALFORMED) {
    const attacker = await h.open(node);
    send(attacker);
    const outcome = await attacker.waitUntil(
      (c) => c.messages.find(isErrorEvent) ?? (c.closeInfo ? { closed: c.closeInfo } : undefined),
      { what: `an error event or a close after "${what}"` },
    );
    if (outcome.closed) {
      const { code } = outcome.closed;
      const allowed = (code >= 4000 && code <= 4099) || (what === 'a binary frame' && code === 1003);
      assert.ok(allowed, `"${what}": closed with ${code} "${outcome.closed.reason}"`);
    } else {
      // The attacker got an error event and its connection still works.
      assert.equal(typeof outcome.data, 'object', `"${what}": ${outcome.raw}`);
      await attacker.ping();
    }
    await attacker.close();
  }

  await h.triggerOk(node, [news], 'after-garbage', '{"ok":true}');
  const event = await victim.waitEvent('after-garbage', news);
  assert.equal(event.rawData, '{"ok":true}');
  assert.ok(victim.isOpen);

  const fresh = await h.open(node);
  assert.match(fresh.socketId, /^\d+\.\d+$/);
  assert.ok(node.alive, 'the node process died');
  assert.equal(node.pid, pid);
  await fresh.close();
  await victim.close();
});

test('B11: a burst of garbage on many connections does not disturb other clients', T, async () => {
  const victim = await h.open(node);
  const news = h.uniq('news-');
  await h.subOk(victim, news);
  const attackers = await Promise.all(Array.from({ length: 20 }, () => h.open(node)));
  for (const attacker of attackers) {
    for (const [, send] of MALFORMED) {
      if (attacker.isOpen) send(attacker);
    }
  }
  await h.sleep(1_000);
  await h.triggerOk(node, [news], 'still-alive', '1');
  await victim.waitEvent('still-alive', news);
  assert.ok(node.alive);
  await Promise.all(attackers.map((a) => a.close()));
  await victim.close();
});

async function immediateSubscribe(target, channel) {
  const frames = Buffer.concat([
    h.textFrame({ event: 'pusher:subscribe', data: { auth: '', channel } }),
    h.textFrame({ event: 'pusher:ping', data: {} }),
  ]);
  const socket = await h.raw(target, { afterUpgrade: frames });
  assert.equal(socket.status, 101, socket.statusLine);
  assert.equal(socket.headers['sec-websocket-accept'], socket.expectedAccept);
  await socket.waitUntil((s) => s.messages.length >= 3, { what: 'three replies' });
  const [first, second, third] = socket.messages;
  assert.equal(first.event, 'pusher:connection_established', first.raw);
  assert.equal(second.event, 'pusher_internal:subscription_succeeded', second.raw);
  assert.equal(second.channel, channel);
  assert.equal(third.event, 'pusher:pong', third.raw);
  return socket;
}

test('B13: subscribe and ping written in the same TCP write as soon as the 101 arrives are processed in order', T, async () => {
  // A fresh node, so the very first connection it accepts is one of these.
  const fresh = await startNode({}, 'b13');
  try {
    const channel = h.uniq('news-');
    const total = 200;
    const batch = 10;
    for (let done = 0; done < total; done += batch) {
      const sockets = await Promise.all(Array.from({ length: batch }, () => immediateSubscribe(fresh, channel)));
      await h.triggerOk(fresh, [channel], 'after-immediate', `${done}`);
      for (const socket of sockets) {
        await socket.waitFor((m) => m.event === 'after-immediate' && m.rawData === `${done}`, {
          what: `event ${done}`,
        });
      }
      await h.sleep(200);
      for (const socket of sockets) {
        assert.equal(socket.messages.filter((m) => m.event === 'after-immediate').length, 1, 'delivered once');
      }
      await Promise.all(sockets.map((s) => s.destroy()));
    }
    assert.ok(fresh.alive);
  } finally {
    await fresh.stop();
  }
});
