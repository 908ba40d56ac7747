'use strict';

// Server-side liveness with short timeouts (protocol brief 1.2; B23, B24).
// activity_timeout 2 s and pong_timeout 2 s keep the file short. Waits below are generous
// windows for collecting messages, never pass/fail timings.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const ACTIVITY = 2;
const PONG = 2;
const node = useNode({ activity_timeout: ACTIVITY, pong_timeout: PONG }, 'activity');
const T = { timeout: 90_000 };
// Three full idle cycles (activity timeout + pong timeout) plus slack.
const SURVIVAL_MS = 3 * (ACTIVITY + PONG) * 1000 + 2_000;

// A ws client that never answers anything by itself: no automatic pong frames.
const silent = { wsOptions: { autoPong: false } };

test('connection_established advertises the configured activity_timeout', T, async () => {
  const c = await h.open(node, silent);
  assert.equal(c.activityTimeout, ACTIVITY);
  await c.close();
});

test('a silent client gets pusher:ping and is then closed with 4201', T, async () => {
  const c = await h.open(node, silent);
  const ping = await c.waitEvent('pusher:ping', undefined, { timeout: 20_000, rejectOnClose: false });
  assert.equal(ping.event, 'pusher:ping');
  const closed = await c.waitClose(20_000);
  assert.equal(closed.code, 4201, `closed with ${closed.code} "${closed.reason}"`);
});

test('a client that answers pusher:ping with pusher:pong stays connected', T, async () => {
  const c = await h.open(node, silent);
  let pings = 0;
  c.ws.on('message', (data) => {
    const m = h.parseMessage(data.toString());
    if (m.event === 'pusher:ping') {
      pings += 1;
      c.send({ event: 'pusher:pong', data: {} });
    }
  });
  const channel = h.uniq('news-');
  await h.subOk(c, channel);
  await h.sleep(SURVIVAL_MS);
  assert.ok(c.isOpen, `closed: ${JSON.stringify(c.closeInfo)}`);
  assert.ok(pings >= 1, 'the server never pinged an idle client');
  await h.triggerOk(node, [channel], 'still-here', '{"n":1}');
  const event = await c.waitEvent('still-here', channel);
  assert.equal(event.rawData, '{"n":1}');
  await c.close();
});

test('B23: a client sending pusher:ping every activity_timeout/2 gets every pong and keeps its presence membership', T, async () => {
  const observer = await h.open(node, silent);
  observer.ws.on('message', (data) => {
    if (h.parseMessage(data.toString()).event === 'pusher:ping') observer.send({ event: 'pusher:pong', data: {} });
  });
  const channel = h.uniq('presence-b23-');
  await h.subOk(observer, channel, { user: { id: 'u0' } });

  const c = await h.open(node, silent);
  await h.subOk(c, channel, { user: { id: 'u1' } });
  await observer.waitFor((m) => m.event === 'pusher_internal:member_added' && m.data.user_id === 'u1');

  const mark = observer.mark();
  let sent = 0;
  const rounds = Math.ceil((3 * ACTIVITY) / (ACTIVITY / 2)) + 1;
  for (let i = 0; i < rounds; i += 1) {
    c.send({ event: 'pusher:ping', data: {} });
    sent += 1;
    await c.waitEvent('pusher:pong', undefined, { timeout: 5_000 });
    await h.sleep((ACTIVITY / 2) * 1000);
  }
  assert.equal(c.events('pusher:pong').length, sent, 'every pusher:ping gets exactly one pusher:pong');
  assert.ok(c.isOpen, `closed: ${JSON.stringify(c.closeInfo)}`);
  const removed = observer.since(mark).filter((m) => m.event === 'pusher_internal:member_removed');
  assert.deepEqual(removed, [], 'the pinging member was removed');
  await c.close();
  await observer.close();
});

test('B24: a client that only sends WebSocket ping frames gets pong frames and stays connected', T, async () => {
  const c = await h.open(node, silent);
  const channel = h.uniq('news-');
  await h.subOk(c, channel);
  const end = Date.now() + SURVIVAL_MS;
  let sent = 0;
  while (Date.now() < end) {
    c.ws.ping(Buffer.from('hb'));
    sent += 1;
    await c.waitUntil((cl) => cl.pongFrames.length >= sent, { what: `pong frame #${sent}`, timeout: 5_000 });
    await h.sleep((ACTIVITY / 2) * 1000);
  }
  assert.ok(c.pongFrames.every((p) => p.toString() === 'hb'), 'every pong frame echoes the ping payload');
  assert.ok(c.isOpen, `closed: ${JSON.stringify(c.closeInfo)}`);
  await h.triggerOk(node, [channel], 'still-here', '{"n":2}');
  const event = await c.waitEvent('still-here', channel);
  assert.equal(event.rawData, '{"n":2}');
  await c.close();
});
