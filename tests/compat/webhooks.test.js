'use strict';

// Webhooks (protocol brief 3; field reports B28 single-node part, B30): events and their exact
// fields, the leave delay and its cancellation by a quick return, signatures, retries with
// backoff, an endpoint that is down, per-channel order, a failing channel not blocking another,
// batching and the subscription_count / events filters.
//
// One node serves several apps; each app posts to its own sink(s) (lib/sink.js), so the tests
// do not see each other's webhooks. Channel names are unique per test.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { DNotifierNode, DEFAULT_APP, startNode } = require('./lib/node');
const { cleanupAll } = require('./lib/cleanup');
const h = require('./lib/helpers');
const { Sink, webhookSignature, isSignedBy, probeConnect } = require('./lib/sink');

const LEAVE_DELAY_S = 1;
const LEAVE_DELAY_MS = LEAVE_DELAY_S * 1000;
const RETRY_WINDOW_S = 60;
const BATCH_MS = 500;
const TOLERANCE_MS = 100; // clock granularity allowance for "not before the delay"
const QUIET_MS = LEAVE_DELAY_MS + 1_000; // "nothing else arrives" window after a leave
const WAIT = { timeout: 15_000 };
const T = { timeout: 60_000 };

const sinks = {
  main: new Sink({ label: 'main', path: '/hooks/main' }),
  retry: new Sink({ label: 'retry', path: '/hooks/retry' }),
  down: new Sink({ label: 'down', path: '/hooks/down' }),
  block: new Sink({ label: 'block', path: '/hooks/block' }),
  batch: new Sink({ label: 'batch', path: '/hooks/batch' }),
  countOnly: new Sink({ label: 'count-only', path: '/hooks/count-only' }),
  countAll: new Sink({ label: 'count-all', path: '/hooks/count-all' }),
  occupiedOnly: new Sink({ label: 'occupied-only', path: '/hooks/occupied-only' }),
  countOff: new Sink({ label: 'count-off', path: '/hooks/count-off' }),
};

const APPS = {
  retry: { id: '102', key: 'key-retry', secret: 'secret-retry' },
  down: { id: '103', key: 'key-down', secret: 'secret-down' },
  block: { id: '104', key: 'key-block', secret: 'secret-block' },
  batch: { id: '105', key: 'key-batch', secret: 'secret-batch', webhook_batch_ms: BATCH_MS },
  count: { id: '106', key: 'key-count', secret: 'secret-count', subscription_count_events: true },
  countOff: { id: '107', key: 'key-count-off', secret: 'secret-count-off', subscription_count_events: false },
};

// Which app signs what each sink receives.
const SINK_APP = {
  main: DEFAULT_APP,
  retry: APPS.retry,
  down: APPS.down,
  block: APPS.block,
  batch: APPS.batch,
  countOnly: APPS.count,
  countAll: APPS.count,
  occupiedOnly: APPS.count,
  countOff: APPS.countOff,
};

let node;

before(async () => {
  for (const sink of Object.values(sinks)) await sink.start();
  node = new DNotifierNode(
    {
      webhook_leave_delay: LEAVE_DELAY_S,
      webhook_retry_seconds: RETRY_WINDOW_S,
      app: { webhooks: [{ url: sinks.main.url }] },
      apps: [
        { ...APPS.retry, webhooks: [{ url: sinks.retry.url }] },
        { ...APPS.down, webhooks: [{ url: sinks.down.url }] },
        { ...APPS.block, webhooks: [{ url: sinks.block.url }] },
        { ...APPS.batch, webhooks: [{ url: sinks.batch.url }] },
        {
          ...APPS.count,
          webhooks: [
            { url: sinks.countOnly.url, events: ['subscription_count'] },
            { url: sinks.countAll.url },
            { url: sinks.occupiedOnly.url, events: ['channel_occupied'] },
          ],
        },
        { ...APPS.countOff, webhooks: [{ url: sinks.countOff.url, events: ['subscription_count', 'channel_occupied'] }] },
      ],
    },
    'webhooks',
  );
  await node.start();
});

afterEach(async () => {
  await cleanupAll();
});

after(async () => {
  await cleanupAll();
  if (node) await node.stop();
  for (const sink of Object.values(sinks)) await sink.close();
});

// ---------------------------------------------------------------------------------------------

const app = (a) => node.appById(a.id);

// Sends pusher:unsubscribe and waits until the node has processed it (the pong comes after).
// Returns the time just before the unsubscribe was sent.
async function leave(client, channel) {
  const at = Date.now();
  client.send({ event: 'pusher:unsubscribe', data: { channel } });
  await client.ping();
  return at;
}

// Closes the connection; returns the time just before the close was started.
async function drop(client) {
  const at = Date.now();
  await client.close();
  return at;
}

const is = (name, channel, extra = {}) => (e) =>
  e.name === name && e.channel === channel && Object.entries(extra).every(([k, v]) => e[k] === v);

// The event names (and user ids) that `sink` received for `channel`, in arrival order.
function timeline(sink, channel) {
  return sink.events((e) => e.channel === channel).map((e) => (e.user_id === undefined ? e.name : `${e.name}:${e.user_id}`));
}

// Everything a receiver checks on one delivery, for an app without batching unless
// `events` says otherwise.
function assertDelivery(request, sink, signer, { batched = false } = {}) {
  const where = `${sink.label} request #${request.index}: ${request.text}`;
  assert.equal(request.method, 'POST', where);
  assert.equal(request.path, sink.path, where);
  assert.equal(request.headers['content-type'], 'application/json', where);
  assert.equal(request.headers['x-pusher-key'], signer.key, where);
  const signature = request.headers['x-pusher-signature'];
  assert.match(signature ?? '', /^[0-9a-f]{64}$/, `X-Pusher-Signature is 64 lower-case hex digits; ${where}`);
  assert.equal(signature, webhookSignature(signer.secret, request.body), `signature over the raw body; ${where}`);
  assert.ok(request.json && typeof request.json === 'object', `body is a JSON object; ${where}`);
  assert.deepEqual(Object.keys(request.json).sort(), ['events', 'time_ms'], where);
  assert.ok(Number.isSafeInteger(request.json.time_ms) && request.json.time_ms > 1.6e12, `time_ms is epoch ms; ${where}`);
  assert.ok(request.json.time_ms <= request.arrivedAt + TOLERANCE_MS, `time_ms is not in the future; ${where}`);
  assert.ok(Array.isArray(request.json.events) && request.json.events.length >= 1, where);
  if (!batched) assert.equal(request.json.events.length, 1, `one event per body without batching; ${where}`);
  // The SDK's own receiver check (pusher-http-node WebHook): content type, key, signature.
  const hook = h.sdk(node, { app: signer }).webhook({ headers: request.headers, rawBody: request.text });
  assert.equal(hook.isValid(), true, `pusher SDK accepts the webhook; ${where}`);
}

// ---------------------------------------------------------------------------------------------

test('channel_occupied, then channel_vacated only after the last subscriber leaves and the leave delay', T, async () => {
  const sink = sinks.main;
  const channel = h.uniq('wh-occ-');
  const c1 = await h.open(node);
  await h.subOk(c1, channel);
  const [occupied] = await sink.waitEvents(is('channel_occupied', channel), WAIT);
  assert.deepEqual(occupied, { name: 'channel_occupied', channel });

  // A second subscriber is no new occupation; the first one leaving is no vacation.
  const c2 = await h.open(node);
  await h.subOk(c2, channel);
  await leave(c1, channel);
  await h.sleep(QUIET_MS);
  assert.deepEqual(timeline(sink, channel), ['channel_occupied'], sink.describe());

  const leftAt = await drop(c2);
  const [vacated] = await sink.waitEvents(is('channel_vacated', channel), WAIT);
  assert.deepEqual(vacated, { name: 'channel_vacated', channel });
  assert.ok(
    vacated.request.arrivedAt >= leftAt + LEAVE_DELAY_MS - TOLERANCE_MS,
    `channel_vacated arrived ${vacated.request.arrivedAt - leftAt} ms after the last leave; ` +
      `the leave delay is ${LEAVE_DELAY_MS} ms`,
  );
  assert.ok(vacated.time_ms >= occupied.time_ms, 'vacated is not older than occupied');

  await h.sleep(QUIET_MS);
  const requests = sink.requestsFor(channel);
  assert.deepEqual(
    requests.map((r) => r.json.events.map((e) => e.name)),
    [['channel_occupied'], ['channel_vacated']],
    sink.describe(),
  );
  for (const request of requests) assertDelivery(request, sink, DEFAULT_APP);
});

test('a quick leave and return within the delay: no channel_vacated, no second channel_occupied, no member events', T, async () => {
  const sink = sinks.main;

  // Public channel: unsubscribe and subscribe again at once.
  const channel = h.uniq('wh-back-');
  const c = await h.open(node);
  await h.subOk(c, channel);
  await sink.waitEvents(is('channel_occupied', channel), WAIT);
  await leave(c, channel);
  await h.subOk(c, channel);

  // Presence channel: the connection drops and the same user comes straight back on a new one.
  const presence = h.uniq('presence-wh-back-');
  const user = { id: 'u-back', info: { name: 'Back' } };
  const p1 = await h.open(node);
  await h.subOk(p1, presence, { user });
  await sink.waitEvents(is('member_added', presence), WAIT);
  await drop(p1);
  const p2 = await h.open(node);
  await h.subOk(p2, presence, { user });

  await h.sleep(QUIET_MS + 500);
  assert.deepEqual(timeline(sink, channel), ['channel_occupied'], sink.describe());
  assert.deepEqual(timeline(sink, presence), ['channel_occupied', 'member_added:u-back'], sink.describe());

  // The held leave was cancelled, not kept: the final leave still produces exactly one of each.
  const leftAt = await leave(c, channel);
  await drop(p2);
  const [vacated] = await sink.waitEvents(is('channel_vacated', channel), WAIT);
  await sink.waitEvents(is('channel_vacated', presence), WAIT);
  assert.ok(vacated.request.arrivedAt >= leftAt + LEAVE_DELAY_MS - TOLERANCE_MS);
  await h.sleep(QUIET_MS);
  assert.deepEqual(timeline(sink, channel), ['channel_occupied', 'channel_vacated'], sink.describe());
  assert.deepEqual(
    timeline(sink, presence),
    ['channel_occupied', 'member_added:u-back', 'member_removed:u-back', 'channel_vacated'],
    sink.describe(),
  );
  for (const request of [...sink.requestsFor(channel), ...sink.requestsFor(presence)]) {
    assertDelivery(request, sink, DEFAULT_APP);
  }
});

test('presence: member_added once per user, member_removed once after the last connection of the user', T, async () => {
  const sink = sinks.main;
  const channel = h.uniq('presence-wh-members-');
  const alice = { id: 'u-alice', info: { name: 'Alice' } };
  const bob = { id: 'u-bob', info: { name: 'Bob' } };

  const a1 = await h.open(node);
  await h.subOk(a1, channel, { user: alice });
  const a2 = await h.open(node); // the same user on a second connection
  await h.subOk(a2, channel, { user: alice });
  const b1 = await h.open(node);
  await h.subOk(b1, channel, { user: bob });
  await sink.waitEvents(is('member_added', channel, { user_id: 'u-bob' }), WAIT);
  await h.sleep(300);
  assert.deepEqual(timeline(sink, channel), ['channel_occupied', 'member_added:u-alice', 'member_added:u-bob'], sink.describe());
  const [added] = sink.events(is('member_added', channel, { user_id: 'u-alice' }));
  assert.deepEqual(added, { name: 'member_added', channel, user_id: 'u-alice' });

  // Alice's first connection goes: she is still there.
  await drop(a1);
  await h.sleep(QUIET_MS);
  assert.deepEqual(timeline(sink, channel), ['channel_occupied', 'member_added:u-alice', 'member_added:u-bob'], sink.describe());

  // Her last connection goes: one member_removed, after the delay.
  const aliceLeftAt = await drop(a2);
  const [removed] = await sink.waitEvents(is('member_removed', channel, { user_id: 'u-alice' }), WAIT);
  assert.deepEqual(removed, { name: 'member_removed', channel, user_id: 'u-alice' });
  assert.ok(removed.request.arrivedAt >= aliceLeftAt + LEAVE_DELAY_MS - TOLERANCE_MS);

  // Bob, the last member, leaves: member_removed and channel_vacated, in the order they happened.
  await drop(b1);
  await sink.waitEvents(is('channel_vacated', channel), WAIT);
  await h.sleep(QUIET_MS);
  assert.deepEqual(
    timeline(sink, channel),
    ['channel_occupied', 'member_added:u-alice', 'member_added:u-bob', 'member_removed:u-alice', 'member_removed:u-bob', 'channel_vacated'],
    sink.describe(),
  );
  const [bobRemoved] = sink.events(is('member_removed', channel, { user_id: 'u-bob' }));
  assert.deepEqual(bobRemoved, { name: 'member_removed', channel, user_id: 'u-bob' });
  const times = sink.requestsFor(channel).map((r) => r.json.time_ms);
  assert.deepEqual(times, [...times].sort((x, y) => x - y), 'time_ms never goes back within a channel');
  for (const request of sink.requestsFor(channel)) assertDelivery(request, sink, DEFAULT_APP);
});

test('client_event: channel, event, data as a string, the sender socket_id, and user_id on presence', T, async () => {
  const sink = sinks.main;

  const channel = h.uniq('private-wh-client-');
  const sender = await h.open(node);
  const receiver = await h.open(node);
  await h.subOk(sender, channel);
  await h.subOk(receiver, channel);
  sender.send({ event: 'client-greet', channel, data: { msg: 'hi' } });
  await receiver.waitEvent('client-greet', channel);
  sender.send({ event: 'client-note', channel, data: 'plain text' });
  await receiver.waitEvent('client-note', channel);
  const [greet] = await sink.waitEvents(is('client_event', channel, { event: 'client-greet' }), WAIT);
  assert.deepEqual(greet, {
    name: 'client_event',
    channel,
    event: 'client-greet',
    data: '{"msg":"hi"}',
    socket_id: sender.socketId,
  });
  const [note] = await sink.waitEvents(is('client_event', channel, { event: 'client-note' }), WAIT);
  assert.deepEqual(note, {
    name: 'client_event',
    channel,
    event: 'client-note',
    data: 'plain text',
    socket_id: sender.socketId,
  });

  const presence = h.uniq('presence-wh-client-');
  const p1 = await h.open(node);
  const p2 = await h.open(node);
  await h.subOk(p1, presence, { user: { id: 'u-carol', info: {} } });
  await h.subOk(p2, presence, { user: { id: 'u-dave', info: {} } });
  p1.send({ event: 'client-wave', channel: presence, data: { n: 1 } });
  await p2.waitEvent('client-wave', presence);
  const [wave] = await sink.waitEvents(is('client_event', presence), WAIT);
  assert.deepEqual(wave, {
    name: 'client_event',
    channel: presence,
    event: 'client-wave',
    data: '{"n":1}',
    socket_id: p1.socketId,
    user_id: 'u-carol',
  });

  await h.sleep(300);
  assert.equal(sink.events(is('client_event', channel)).length, 2, sink.describe());
  assert.equal(sink.events(is('client_event', presence)).length, 1, sink.describe());
  for (const request of [...sink.requestsFor(channel), ...sink.requestsFor(presence)]) {
    assertDelivery(request, sink, DEFAULT_APP);
  }
});

test('cache_miss when subscribing to an empty cache channel', T, async () => {
  const sink = sinks.main;
  const channel = h.uniq('cache-wh-');
  const c = await h.open(node);
  await h.subOk(c, channel);
  await c.waitEvent('pusher:cache_miss', channel);
  const [miss] = await sink.waitEvents(is('cache_miss', channel), WAIT);
  assert.deepEqual(miss, { name: 'cache_miss', channel });
  await h.sleep(300);
  assert.deepEqual(timeline(sink, channel), ['channel_occupied', 'cache_miss'], sink.describe());
  for (const request of sink.requestsFor(channel)) assertDelivery(request, sink, DEFAULT_APP);
});

test('subscription_count only to a target that lists it, with the counts; events filters hold', T, async () => {
  const a = app(APPS.count);
  const channel = h.uniq('wh-count-');
  const c1 = await h.open(node, { app: a });
  await h.subOk(c1, channel);
  const c2 = await h.open(node, { app: a });
  await h.subOk(c2, channel);
  await leave(c2, channel);
  await leave(c1, channel);

  const counts = await sinks.countOnly.waitEvents(is('subscription_count', channel), { ...WAIT, count: 4 });
  await sinks.countAll.waitEvents(is('channel_vacated', channel), WAIT);
  await h.sleep(QUIET_MS);

  assert.deepEqual(
    sinks.countOnly.events((e) => e.channel === channel),
    [1, 2, 1, 0].map((n) => ({ name: 'subscription_count', channel, subscription_count: n })),
    sinks.countOnly.describe(),
  );
  assert.equal(counts.length, 4);
  // No events list: every event except subscription_count.
  assert.deepEqual(timeline(sinks.countAll, channel), ['channel_occupied', 'channel_vacated'], sinks.countAll.describe());
  // events: ["channel_occupied"]: nothing else.
  assert.deepEqual(timeline(sinks.occupiedOnly, channel), ['channel_occupied'], sinks.occupiedOnly.describe());
  for (const key of ['countOnly', 'countAll', 'occupiedOnly']) {
    for (const request of sinks[key].requestsFor(channel)) assertDelivery(request, sinks[key], a);
  }
});

test('subscription_count_events false: no subscription_count webhook even for a target that lists it (docs/configuration.md)', T, async () => {
  const sink = sinks.countOff;
  const channel = h.uniq('wh-count-off-');
  const c = await h.open(node, { app: app(APPS.countOff) });
  await h.subOk(c, channel);
  await sink.waitEvents(is('channel_occupied', channel), WAIT);
  await h.sleep(1_000);
  assert.deepEqual(timeline(sink, channel), ['channel_occupied'], sink.describe());
});

test('B30: 500 three times, then 200: the same bytes four times with growing gaps, then nothing more', T, async () => {
  const sink = sinks.retry;
  const a = app(APPS.retry);
  const channel = h.uniq('room-2-');
  sink.failNext(3, 500);
  const c = await h.open(node, { app: a });
  await h.subOk(c, channel);

  const attempts = await sink.waitFor((r) => r.text.includes(channel), { count: 4, timeout: 20_000 });
  await h.sleep(3_000); // a fifth attempt would be a redelivery of a delivered body
  const all = sink.requestsFor(channel);
  assert.equal(all.length, 4, sink.describe());
  assert.deepEqual(all.map((r) => r.status), [500, 500, 500, 200]);
  for (const request of all) {
    assertDelivery(request, sink, a);
    assert.ok(request.body.equals(attempts[0].body), `attempt #${request.index} has the same body bytes`);
    assert.equal(request.headers['x-pusher-signature'], attempts[0].headers['x-pusher-signature']);
  }
  assert.deepEqual(attempts[0].json.events, [{ name: 'channel_occupied', channel }]);
  const gaps = all.slice(1).map((r, i) => r.arrivedAt - all[i].arrivedAt);
  for (let i = 1; i < gaps.length; i += 1) {
    assert.ok(gaps[i] >= gaps[i - 1], `gaps between attempts must not shrink: ${gaps.join(', ')} ms`);
  }
  assert.ok(gaps[0] >= 1_000 - TOLERANCE_MS, `first retry not before the 1 s backoff: ${gaps.join(', ')} ms`);
  assert.ok(isSignedBy(all[3], a));
});

test('webhook_retry_seconds bounds the retries of an endpoint that always fails (0: a single attempt)', T, async () => {
  const never0 = new Sink({ label: 'never-retry-0', path: '/hooks/never', responder: () => 500 });
  const never2 = new Sink({ label: 'never-retry-2', path: '/hooks/never', responder: () => 500 });
  await never0.start();
  await never2.start();
  let node0;
  let node2;
  try {
    node0 = await startNode({ webhook_retry_seconds: 0, app: { webhooks: [{ url: never0.url }] } }, 'retry-0');
    node2 = await startNode({ webhook_retry_seconds: 2, app: { webhooks: [{ url: never2.url }] } }, 'retry-2');
    const channel = h.uniq('wh-never-');
    const c0 = await h.open(node0);
    const c2 = await h.open(node2);
    await h.subOk(c0, channel);
    await h.subOk(c2, channel);
    await never0.waitFor((r) => r.text.includes(channel), WAIT);
    await never2.waitFor((r) => r.text.includes(channel), { ...WAIT, count: 2 });
    await h.sleep(3_500); // without the bound, the third attempt would come 3 s after the first

    assert.equal(never0.requests.length, 1, `retry window 0: one attempt only; ${never0.describe()}`);
    const attempts = never2.requests;
    assert.ok(attempts.length >= 2, `retry window 2 s: retried; ${never2.describe()}`);
    for (const r of attempts) {
      assert.ok(r.body.equals(attempts[0].body));
      assert.ok(
        r.arrivedAt <= attempts[0].arrivedAt + 2_000 + TOLERANCE_MS,
        `no attempt after the 2 s retry window: ${attempts.map((x) => x.arrivedAt - attempts[0].arrivedAt).join(', ')} ms`,
      );
      assert.equal(isSignedBy(r, DEFAULT_APP), true);
    }
  } finally {
    if (node0) await node0.stop();
    if (node2) await node2.stop();
    await never0.close();
    await never2.close();
  }
});

test('an endpoint that refuses connections for ~3 s loses nothing and keeps the order per channel', T, async () => {
  const sink = sinks.down;
  const a = app(APPS.down);
  const channelA = h.uniq('wh-down-a-');
  const channelB = h.uniq('wh-down-b-');
  const presence = h.uniq('presence-wh-down-');
  await sink.down();
  assert.equal(await probeConnect(sink.port), 'ECONNREFUSED', 'the downed sink refuses connections');
  const back = h.sleep(3_000).then(() => sink.up());
  try {
    const c = await h.open(node, { app: a });
    await h.subOk(c, channelA);
    await h.subOk(c, channelB);
    await h.subOk(c, presence, { user: { id: 'u-erin', info: {} } });
    await leave(c, channelA);
    await leave(c, channelB);
    await leave(c, presence);
  } finally {
    await back;
  }
  assert.equal(await probeConnect(sink.port), 'connected', 'the sink is back on the same port');

  for (const channel of [channelA, channelB, presence]) {
    await sink.waitEvents(is('channel_vacated', channel), { timeout: 30_000 });
  }
  await h.sleep(QUIET_MS);
  const expected = {
    [channelA]: ['channel_occupied', 'channel_vacated'],
    [channelB]: ['channel_occupied', 'channel_vacated'],
    [presence]: ['channel_occupied', 'member_added:u-erin', 'member_removed:u-erin', 'channel_vacated'],
  };
  for (const [channel, names] of Object.entries(expected)) {
    assert.deepEqual(timeline(sink, channel), names, `order on ${channel}; ${sink.describe()}`);
    for (const request of sink.requestsFor(channel)) {
      assertDelivery(request, sink, a);
      assert.equal(request.status, 200);
    }
  }
  assert.equal(sink.requests.length, 8, sink.describe());
});

test('a failing delivery for channel A does not hold back webhooks for channel B', T, async () => {
  const sink = sinks.block;
  const a = app(APPS.block);
  const channelA = h.uniq('wh-block-a-');
  const channelB = h.uniq('wh-block-b-');
  let failA = true;
  sink.responder = (request) => (failA && request.text.includes(channelA) ? 500 : 200);
  try {
    const c = await h.open(node, { app: a });
    await h.subOk(c, channelA);
    await sink.waitFor((r) => r.text.includes(channelA), WAIT);
    await h.subOk(c, channelB);
    const [occupiedB] = await sink.waitEvents(is('channel_occupied', channelB), WAIT);
    await leave(c, channelB);
    const [vacatedB] = await sink.waitEvents(is('channel_vacated', channelB), WAIT);
    assert.equal(occupiedB.request.status, 200);
    assert.equal(vacatedB.request.status, 200);
    assert.ok(
      sink.requestsFor(channelA).every((r) => r.status === 500),
      `channel A is still failing while B was delivered; ${sink.describe()}`,
    );

    failA = false;
    const [delivered] = await sink.waitFor((r) => r.text.includes(channelA) && r.status === 200, { timeout: 20_000 });
    assert.ok(occupiedB.request.arrivedAt < delivered.arrivedAt);
    assert.ok(vacatedB.request.arrivedAt < delivered.arrivedAt);
    await leave(c, channelA);
    await sink.waitEvents(is('channel_vacated', channelA), WAIT);
    await h.sleep(500);

    const requestsA = sink.requestsFor(channelA);
    const occupiedA = requestsA.filter((r) => r.json.events[0].name === 'channel_occupied');
    assert.ok(occupiedA.length >= 2, sink.describe());
    assert.deepEqual(
      occupiedA.map((r) => r.status),
      [...Array(occupiedA.length - 1).fill(500), 200],
    );
    for (const r of occupiedA) assert.ok(r.body.equals(occupiedA[0].body));
    assert.deepEqual(
      requestsA.map((r) => r.json.events[0].name),
      [...occupiedA.map(() => 'channel_occupied'), 'channel_vacated'],
      sink.describe(),
    );
    assert.deepEqual(timeline(sink, channelB), ['channel_occupied', 'channel_vacated']);
    for (const request of sink.requests) assertDelivery(request, sink, a);
  } finally {
    sink.responder = undefined;
  }
});

test('batching: events within webhook_batch_ms share one signed body, in order', T, async () => {
  const sink = sinks.batch;
  const a = app(APPS.batch);
  const channels = [h.uniq('wh-batch-1-'), h.uniq('wh-batch-2-'), h.uniq('wh-batch-3-')];
  const c = await h.open(node, { app: a });
  for (const channel of channels) c.send({ event: 'pusher:subscribe', data: { auth: '', channel } });
  for (const channel of channels) await c.waitEvent('pusher_internal:subscription_succeeded', channel);

  const [first] = await sink.waitFor((r) => r.text.includes(channels[0]), WAIT);
  assert.deepEqual(
    first.json.events,
    channels.map((channel) => ({ name: 'channel_occupied', channel })),
    `one body with the three channel_occupied; ${sink.describe()}`,
  );
  assertDelivery(first, sink, a, { batched: true });

  for (const channel of channels) c.send({ event: 'pusher:unsubscribe', data: { channel } });
  await c.ping();
  await sink.waitFor((r) => r.text.includes(channels[0]), { ...WAIT, count: 2 });
  await h.sleep(QUIET_MS);
  const requests = sink.requests.filter((r) => channels.some((channel) => r.text.includes(channel)));
  assert.deepEqual(
    requests.map((r) => r.json.events),
    [
      channels.map((channel) => ({ name: 'channel_occupied', channel })),
      channels.map((channel) => ({ name: 'channel_vacated', channel })),
    ],
    sink.describe(),
  );
  for (const request of requests) assertDelivery(request, sink, a, { batched: true });
  assert.ok(requests[1].json.time_ms >= requests[0].json.time_ms);
});

test('signature check as a receiver does it: exact over the raw bytes; tampering or the wrong secret is detected', T, async () => {
  const sink = sinks.main;
  const channel = h.uniq('wh-sig-');
  const c = await h.open(node);
  await h.subOk(c, channel);
  const [request] = await sink.waitFor((r) => r.text.includes(channel), WAIT);
  const signature = request.headers['x-pusher-signature'];

  assert.equal(signature, webhookSignature(DEFAULT_APP.secret, request.body));
  assert.equal(request.headers['x-pusher-key'], DEFAULT_APP.key);
  assert.equal(isSignedBy(request, DEFAULT_APP), true);

  // One byte changed in the body: the recomputed signature no longer matches.
  const tampered = Buffer.from(request.body);
  const at = tampered.indexOf(Buffer.from(channel)) + channel.length - 1;
  tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
  assert.notEqual(webhookSignature(DEFAULT_APP.secret, tampered), signature);
  assert.equal(isSignedBy({ ...request, body: tampered }, DEFAULT_APP), false);
  // Another app's secret, or the right secret with the wrong key, is rejected too.
  assert.notEqual(webhookSignature(APPS.retry.secret, request.body), signature);
  assert.equal(isSignedBy(request, { key: DEFAULT_APP.key, secret: APPS.retry.secret }), false);
  assert.equal(isSignedBy(request, { key: APPS.retry.key, secret: DEFAULT_APP.secret }), false);

  // The same verdicts from the pusher SDK's receiver.
  const verify = (signer, headers, rawBody) => h.sdk(node, { app: signer }).webhook({ headers, rawBody }).isValid();
  assert.equal(verify(DEFAULT_APP, request.headers, request.text), true);
  assert.equal(verify(DEFAULT_APP, request.headers, tampered.toString('utf8')), false);
  assert.equal(verify({ ...DEFAULT_APP, secret: APPS.retry.secret }, request.headers, request.text), false);
  assert.equal(verify(APPS.retry, request.headers, request.text), false);
  const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
  assert.equal(verify(DEFAULT_APP, { ...request.headers, 'x-pusher-signature': flipped }, request.text), false);
  assert.equal(verify(DEFAULT_APP, { ...request.headers, 'x-pusher-signature': signature.toUpperCase() }, request.text), false);
});

test('every request any sink received is a signed POST of application/json from its own app', T, async () => {
  let total = 0;
  for (const [key, sink] of Object.entries(sinks)) {
    for (const request of sink.requests) {
      assertDelivery(request, sink, SINK_APP[key], { batched: key === 'batch' });
      total += 1;
    }
  }
  assert.ok(total > 0);
});
