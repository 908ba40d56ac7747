'use strict';

// Centrifuge client protocol v2 (JSON) on /connection/websocket, driven by the unmodified
// `centrifuge` npm client and by raw `ws` clients for wire-level checks
// (shared/notes/centrifuge-protocol.md §4 connect, §5 subscribe/history, §7 codes, §8 JWT;
// shared/cases/field-reports.md B09 for the token refresh cases).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode, startNode } = require('./lib/node');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

const NAMESPACES = [
  // Channels without ':' (the default namespace): history, presence and publishing all off,
  // subscribing allowed without a token.
  { name: '', allow_publish: false },
  { name: 'chat', history_size: 10, history_ttl: 300, presence: true, join_leave: true, allow_publish: true },
  { name: 'readonly', allow_publish: false },
  { name: 'nopres', allow_publish: true },
  { name: 'closed', allow_subscribe: false, allow_publish: true },
  { name: 'personal', history_size: 10, history_ttl: 300, allow_publish: true },
];
const OTHER_APP = { id: '202', key: 'key2', secret: 'secret2', namespaces: [{ name: 'chat', allow_publish: true }] };

const node = useNode({ app: { namespaces: NAMESPACES }, apps: [OTHER_APP] }, 'centrifuge');
const APP = node.app;
const T = { timeout: 60_000 };
const ch = (prefix = '') => `${prefix}${h.uniq('r-')}`;
const token = (claims = {}) => cf.connToken(APP, { sub: 'alice', ...claims });
// A rejected call's error as the server sent it (centrifuge-js adds temporary: false).
const errorOf = (e) => ({ code: e.code, message: e.message, ...(e.temporary ? { temporary: true } : {}) });

// Waits `ms` and returns the client events of the given kinds that arrived meanwhile.
async function eventsDuring(log, ms, kinds) {
  const mark = log.entries.length;
  await cf.sleep(ms);
  return log.entries.slice(mark).filter((e) => kinds.includes(e.event));
}

// ---------------------------------------------------------------------------------------------
// Connect and connection tokens

test('connect with a valid token: "connected" with a client id; the reply carries version, ping and pong', T, async () => {
  const { client, ctx } = await cf.cfConnected(node, { token: await token({ info: { name: 'Alice' } }) });
  assert.equal(typeof ctx.client, 'string');
  assert.ok(ctx.client.length > 0, 'the connected context carries the client id');
  assert.equal(ctx.transport, 'websocket');
  assert.equal(client.state, 'connected');

  const { reply } = await cf.rawConnected(node, await token());
  assert.equal(reply.id, 1);
  assert.equal(typeof reply.connect.client, 'string');
  assert.ok(reply.connect.client.length > 0);
  assert.notEqual(reply.connect.client, ctx.client, 'every connection has its own client id');
  assert.equal(typeof reply.connect.version, 'string');
  assert.equal(reply.connect.ping, 25, 'ping = min(25, activity_timeout 120)');
  assert.equal(reply.connect.pong, true);
  assert.equal(reply.connect.expires, undefined, 'a token without exp: no expires');
  assert.equal(reply.connect.ttl, undefined);
});

test('a connection without a token (anonymous) or with an empty token is refused with 3500, terminally', T, async () => {
  const client = cf.cfClient(node, {});
  client.connect();
  const gone = await client.log.wait('disconnected');
  assert.equal(gone.code, 3500);
  assert.equal(gone.reason, 'invalid token');
  const later = await eventsDuring(client.log, 1_500, ['connecting', 'connected']);
  assert.deepEqual(later, [], 'no reconnect after a 3500');
  assert.equal(client.state, 'disconnected');

  for (const body of [{ name: 'raw' }, { token: '', name: 'raw' }]) {
    const raw = await cf.rawCf(node);
    raw.command('connect', body);
    const closed = await raw.waitClose();
    assert.equal(closed.code, 3500, `connect ${JSON.stringify(body)}`);
    assert.equal(closed.reason, 'invalid token');
    assert.equal(raw.replyOf(1), undefined, 'no connect reply before the close');
  }
});

test('a token with a forged signature is closed with 3500 and the client does not reconnect', T, async () => {
  const forged = await cf.connToken(APP, { sub: 'alice', secret: 'not-the-secret' });
  const client = cf.cfClient(node, { token: forged });
  client.connect();
  const gone = await client.log.wait('disconnected');
  assert.deepEqual({ code: gone.code, reason: gone.reason }, { code: 3500, reason: 'invalid token' });
  const later = await eventsDuring(client.log, 1_500, ['connecting', 'connected']);
  assert.deepEqual(later, [], 'no reconnect after a 3500');
  assert.equal(client.state, 'disconnected');
  assert.equal(client.log.all('connected').length, 0);

  // The same token with its signature part replaced.
  const good = await token();
  const [head, payload] = good.split('.');
  const raw = await cf.rawCf(node);
  raw.command('connect', { token: `${head}.${payload}.${Buffer.alloc(32, 7).toString('base64url')}` });
  assert.equal((await raw.waitClose()).code, 3500);
});

test('an "alg: none" token is refused with 3500', T, async () => {
  const unsigned = cf.unsignedToken({ sub: 'alice' });
  assert.equal(JSON.parse(Buffer.from(unsigned.split('.')[0], 'base64url')).alg, 'none');
  const client = cf.cfClient(node, { token: unsigned });
  client.connect();
  const gone = await client.log.wait('disconnected');
  assert.equal(gone.code, 3500);
  assert.equal(client.log.all('connected').length, 0);

  const raw = await cf.rawCf(node);
  raw.command('connect', { token: unsigned });
  const closed = await raw.waitClose();
  assert.equal(closed.code, 3500);
  assert.equal(closed.reason, 'invalid token');
});

test('an expired token gets error 109; the client calls getToken and connects with the new token', T, async () => {
  const expired = await token({ exp: cf.nowSeconds() - 120 });
  const fresh = await token({ expIn: 600 });
  let calls = 0;
  const client = cf.cfClient(node, {
    token: expired,
    minReconnectDelay: 100,
    maxReconnectDelay: 500,
    getToken: async () => {
      calls += 1;
      return fresh;
    },
  });
  client.connect();
  const error = await client.log.wait('error', (e) => e.type === 'connect');
  assert.deepEqual(errorOf(error.error), { code: 109, message: 'token expired' });
  const connected = await client.log.wait('connected');
  assert.ok(connected.client.length > 0);
  assert.equal(calls, 1, 'getToken was called once, after the 109');
  assert.equal(client.log.all('disconnected').length, 0, 'a 109 is not terminal');

  // On the wire: exactly the error reply, and the rest of the frame is not run.
  const raw = await cf.rawCf(node);
  raw.send([
    { id: 1, connect: { token: expired } },
    { id: 2, subscribe: { channel: ch('news-') } },
  ]);
  const reply = await raw.waitReply(1);
  assert.deepEqual(reply, { id: 1, error: { code: 109, message: 'token expired' } });
  await cf.sleep(500);
  assert.equal(raw.replyOf(2), undefined, 'the subscribe after a failed connect in the same frame does not run');
});

test('a token with a "channel" claim (a subscription token) cannot connect: 3500', T, async () => {
  const subTok = await cf.subToken(APP, { sub: 'alice', channel: '$secret' });
  const client = cf.cfClient(node, { token: subTok });
  client.connect();
  const gone = await client.log.wait('disconnected');
  assert.equal(gone.code, 3500);
  assert.equal(client.log.all('connected').length, 0);
});

test('?app_key picks another app: its own secret signs its tokens, the default app secret does not', T, async () => {
  const own = await cf.connToken(OTHER_APP, { sub: 'zed' });
  const { ctx } = await cf.cfConnected(node, { appKey: OTHER_APP.key, token: own });
  assert.ok(ctx.client.length > 0);

  const foreign = await cf.connToken(APP, { sub: 'zed' });
  const raw = await cf.rawCf(node, { appKey: OTHER_APP.key });
  raw.command('connect', { token: foreign });
  assert.equal((await raw.waitClose()).code, 3500);
});

// ---------------------------------------------------------------------------------------------
// Subscribe

test('subscribe to a public channel of the default namespace', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  const channel = ch('news-');
  const { sub, ctx } = await cf.cfSubscribed(client, channel);
  assert.equal(ctx.channel, channel);
  assert.equal(ctx.recoverable, false, 'no history in the default namespace');
  assert.equal(ctx.wasRecovering, false);
  assert.equal(sub.state, 'subscribed');

  const { client: raw } = await cf.rawConnected(node, await token());
  const reply = await raw.call('subscribe', { channel, flag: 1 });
  assert.deepEqual(reply, { id: 2, subscribe: {} });
  // One subscription per channel per connection.
  const again = await raw.call('subscribe', { channel });
  assert.deepEqual(again, { id: 3, error: { code: 105, message: 'already subscribed' } });
});

test('subscribe to a channel of an unknown namespace: error 102', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  const channel = `nosuchns:${h.uniq('x')}`;
  const sub = client.sub(channel);
  sub.subscribe();
  const gone = await sub.log.wait('unsubscribed');
  assert.deepEqual({ code: gone.code, reason: gone.reason }, { code: 102, reason: 'unknown channel' });
  assert.equal(client.state, 'connected', 'the connection stays');

  const { client: raw } = await cf.rawConnected(node, await token());
  assert.deepEqual(await raw.call('subscribe', { channel }), { id: 2, error: { code: 102, message: 'unknown channel' } });
});

test('$channel: without a token 103; with a valid subscription token subscribed', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  const channel = `$${h.uniq('secret-')}`;
  const refused = client.sub(channel);
  refused.subscribe();
  const gone = await refused.log.wait('unsubscribed');
  assert.deepEqual({ code: gone.code, reason: gone.reason }, { code: 103, reason: 'permission denied' });
  client.removeSubscription(refused);

  const subTok = await cf.subToken(APP, { sub: 'alice', channel, info: { role: 'reader' } });
  const { ctx } = await cf.cfSubscribed(client, channel, { token: subTok });
  assert.equal(ctx.channel, channel);
  assert.equal(client.state, 'connected');
});

test('$channel: a token with a bad signature gets 103, an expired one 109 and then the sub getToken', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  const channel = `$${h.uniq('secret-')}`;
  const forged = await cf.subToken(APP, { sub: 'alice', channel, secret: 'wrong' });
  const refused = client.sub(channel, { token: forged });
  refused.subscribe();
  const gone = await refused.log.wait('unsubscribed');
  assert.equal(gone.code, 103);
  client.removeSubscription(refused);

  const expired = await cf.subToken(APP, { sub: 'alice', channel, exp: cf.nowSeconds() - 120 });
  const fresh = await cf.subToken(APP, { sub: 'alice', channel, expIn: 600 });
  let calls = 0;
  const sub = client.sub(channel, {
    token: expired,
    minResubscribeDelay: 50,
    maxResubscribeDelay: 200,
    getToken: async () => {
      calls += 1;
      return fresh;
    },
  });
  sub.subscribe();
  const error = await sub.log.wait('error');
  assert.deepEqual(errorOf(error.error), { code: 109, message: 'token expired' });
  const ok = await sub.log.wait('subscribed');
  assert.equal(ok.channel, channel);
  assert.equal(calls, 1);
});

test('$channel: a subscription token for another channel closes the connection with 3500', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  const channel = `$${h.uniq('secret-')}`;
  const wrongChannel = await cf.subToken(APP, { sub: 'alice', channel: `${channel}-other` });
  client.sub(channel, { token: wrongChannel }).subscribe();
  const gone = await client.log.wait('disconnected');
  assert.equal(gone.code, 3500);
});

test('$channel: a subscription token for another user closes the connection with 3500', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  const channel = `$${h.uniq('secret-')}`;
  const otherUser = await cf.subToken(APP, { sub: 'mallory', channel });
  client.sub(channel, { token: otherUser }).subscribe();
  const gone = await client.log.wait('disconnected');
  assert.equal(gone.code, 3500);
});

test('namespace with allow_subscribe false needs a token; the token info becomes chan_info', T, async () => {
  const { client, ctx: me } = await cf.cfConnected(node, { token: await token({ info: { name: 'Alice' } }) });
  const channel = `closed:${h.uniq('x')}`;
  const refused = client.sub(channel);
  refused.subscribe();
  assert.equal((await refused.log.wait('unsubscribed')).code, 103);
  client.removeSubscription(refused);

  const subTok = await cf.subToken(APP, { sub: 'alice', channel, info: { seat: 7 } });
  const { sub } = await cf.cfSubscribed(client, channel, { token: subTok });
  await sub.publish({ hello: 'closed' });
  const pub = await sub.log.wait('publication');
  assert.deepEqual(pub.data, { hello: 'closed' });
  assert.deepEqual(pub.info, { client: me.client, user: 'alice', connInfo: { name: 'Alice' }, chanInfo: { seat: 7 } });
});

// ---------------------------------------------------------------------------------------------
// Publish

test('publish is allowed or denied (103) by the namespace', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  assert.deepEqual(await client.publish(`chat:${h.uniq('p')}`, { ok: true }), {});
  assert.deepEqual(await client.publish(`nopres:${h.uniq('p')}`, { ok: true }), {});
  for (const channel of [`readonly:${h.uniq('p')}`, h.uniq('plain-')]) {
    await assert.rejects(client.publish(channel, { ok: false }), (error) => {
      assert.deepEqual(errorOf(error), { code: 103, message: 'permission denied' }, channel);
      return true;
    });
  }
  await assert.rejects(client.publish(`nosuchns:${h.uniq('p')}`, {}), (error) => error.code === 102);
  assert.equal(client.state, 'connected', 'a rejected publish changes no state');
});

test('publish: the publisher and another subscriber get the publication with info from the token', T, async () => {
  const channel = `chat:${h.uniq('room')}`;
  const { client: alice, ctx: aliceCtx } = await cf.cfConnected(node, {
    token: await token({ info: { name: 'Alice' } }),
    label: 'alice',
  });
  const { client: bob } = await cf.cfConnected(node, {
    token: await cf.connToken(APP, { sub: 'bob' }),
    label: 'bob',
  });
  const { sub: aliceSub } = await cf.cfSubscribed(alice, channel);
  const { sub: bobSub } = await cf.cfSubscribed(bob, channel);
  assert.deepEqual(await aliceSub.publish({ text: 'hello' }), {});
  const expected = {
    channel,
    data: { text: 'hello' },
    offset: 1,
    info: { client: aliceCtx.client, user: 'alice', connInfo: { name: 'Alice' } },
  };
  const atAlice = await aliceSub.log.wait('publication');
  const atBob = await bobSub.log.wait('publication');
  assert.deepEqual({ ...atAlice, tags: undefined }, { ...expected, tags: undefined });
  assert.deepEqual({ ...atBob, tags: undefined }, { ...expected, tags: undefined });
  assert.equal(atAlice.tags, undefined, 'a client publication has no tags');
  await cf.sleep(300);
  assert.equal(aliceSub.log.all('publication').length, 1, 'exactly once at the publisher');
  assert.equal(bobSub.log.all('publication').length, 1, 'exactly once at the other subscriber');
});

test('publication data is forwarded byte for byte (key order, number spelling)', T, async () => {
  const channel = `nopres:${h.uniq('bytes')}`;
  const { client: raw } = await cf.rawConnected(node, await token());
  await raw.call('subscribe', { channel });
  const data = '{"z":1,"a":{"y":true,"b":null},"big":9007199254740993,"f":1.50}';
  raw.send(`{"id":3,"publish":{"channel":"${channel}","data":${data}}}`);
  assert.deepEqual(await raw.waitReply(3), { id: 3, publish: {} });
  await raw.waitPush((p) => p.channel === channel && p.pub);
  const line = raw.lines.find((l) => l.json && l.json.push && l.json.push.pub);
  assert.ok(
    line.text.includes(`"data":${data}`),
    `the pub push embeds the data exactly as the client sent it (${data}); got: ${line.text}`,
  );
});

// ---------------------------------------------------------------------------------------------
// Presence

test('presence and presence_stats: two clients of one user and one of another', T, async () => {
  const channel = `chat:${h.uniq('pres')}`;
  const a1 = await cf.cfConnected(node, { token: await token({ info: { device: 'phone' } }), label: 'alice-1' });
  const a2 = await cf.cfConnected(node, { token: await token({ info: { device: 'laptop' } }), label: 'alice-2' });
  const b = await cf.cfConnected(node, { token: await cf.connToken(APP, { sub: 'bob' }), label: 'bob' });
  const { sub: s1 } = await cf.cfSubscribed(a1.client, channel);
  const { sub: s2 } = await cf.cfSubscribed(a2.client, channel);
  await cf.cfSubscribed(b.client, channel);

  const presence = await s1.presence();
  const clients = presence.clients;
  assert.deepEqual(Object.keys(clients).sort(), [a1.ctx.client, a2.ctx.client, b.ctx.client].sort());
  assert.equal(clients[a1.ctx.client].user, 'alice');
  assert.equal(clients[a1.ctx.client].client, a1.ctx.client);
  assert.deepEqual(clients[a1.ctx.client].connInfo, { device: 'phone' });
  assert.deepEqual(clients[a2.ctx.client].connInfo, { device: 'laptop' });
  assert.equal(clients[b.ctx.client].user, 'bob');
  assert.equal(clients[b.ctx.client].connInfo, undefined, 'no info claim, no conn_info');

  assert.deepEqual(await s1.presenceStats(), { numClients: 3, numUsers: 2 });
  s2.unsubscribe();
  await s2.log.wait('unsubscribed');
  // A call on the same connection is answered after the unsubscribe command was processed.
  await a2.client.presenceStats(channel);
  assert.deepEqual(await s1.presenceStats(), { numClients: 2, numUsers: 2 });
  a1.client.disconnect();
  await a1.client.log.wait('disconnected');
  // The node learns of the close asynchronously: ask until it has.
  let stats;
  for (let i = 0; i < 50; i += 1) {
    stats = await b.client.presenceStats(channel);
    if (stats.numClients !== 2) break;
    await cf.sleep(100);
  }
  assert.deepEqual(stats, { numClients: 1, numUsers: 1 });
});

test('presence and presence_stats in a namespace without presence: 108', T, async () => {
  const channel = `nopres:${h.uniq('x')}`;
  const { client } = await cf.cfConnected(node, { token: await token() });
  const { sub } = await cf.cfSubscribed(client, channel);
  await assert.rejects(sub.presence(), (e) => {
    assert.deepEqual(errorOf(e), { code: 108, message: 'not available' });
    return true;
  });
  await assert.rejects(sub.presenceStats(), (e) => e.code === 108);
});

// ---------------------------------------------------------------------------------------------
// History

// Five client publications data {n: 1..5} in a chat channel (offsets 1..5).
async function channelWithFive() {
  const channel = `chat:${h.uniq('hist')}`;
  const { client } = await cf.cfConnected(node, { token: await token() });
  for (let n = 1; n <= 5; n += 1) await client.publish(channel, { n });
  const top = await client.history(channel, { limit: 0 });
  return { channel, client, epoch: top.epoch };
}

const summary = (result) => result.publications.map((p) => [p.offset, p.data.n]);

test('history: limit 0 gives the position only, -1 everything, oldest first', T, async () => {
  const { channel, client, epoch } = await channelWithFive();
  assert.equal(typeof epoch, 'string');
  assert.ok(epoch.length > 0);
  const position = await client.history(channel, { limit: 0 });
  assert.deepEqual(position, { publications: [], offset: 5, epoch });
  const all = await client.history(channel, { limit: -1 });
  assert.deepEqual(summary(all), [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
  assert.equal(all.offset, 5);
  assert.equal(all.epoch, epoch);
  assert.equal(all.publications[0].info.user, 'alice');
});

test('history: limit without since returns the oldest `limit` (as the reference server does)', T, async () => {
  const { channel, client } = await channelWithFive();
  // Ref (centrifugal/centrifuge memstream Get): no since, not reverse -> from the front.
  assert.deepEqual(summary(await client.history(channel, { limit: 2 })), [[1, 1], [2, 2]]);
});

test('history: since pages forward from an offset', T, async () => {
  const { channel, client, epoch } = await channelWithFive();
  assert.deepEqual(summary(await client.history(channel, { limit: 2, since: { offset: 2, epoch } })), [
    [3, 3],
    [4, 4],
  ]);
  assert.deepEqual(summary(await client.history(channel, { limit: 10, since: { offset: 3, epoch } })), [
    [4, 4],
    [5, 5],
  ]);
  const atTop = await client.history(channel, { limit: 10, since: { offset: 5, epoch } });
  assert.deepEqual(atTop, { publications: [], offset: 5, epoch });
});

test('history: reverse without since gives the newest first', T, async () => {
  const { channel, client } = await channelWithFive();
  assert.deepEqual(summary(await client.history(channel, { limit: 2, reverse: true })), [
    [5, 5],
    [4, 4],
  ]);
  assert.deepEqual(summary(await client.history(channel, { limit: -1, reverse: true })), [
    [5, 5],
    [4, 4],
    [3, 3],
    [2, 2],
    [1, 1],
  ]);
});

test('history: reverse with since pages backward from the offset (as the reference server does)', T, async () => {
  const { channel, client, epoch } = await channelWithFive();
  // Ref: reverse + since.offset N starts at N-1 and goes down.
  assert.deepEqual(summary(await client.history(channel, { limit: 2, reverse: true, since: { offset: 4, epoch } })), [
    [3, 3],
    [2, 2],
  ]);
});

test('history: since with a stale epoch is 112', T, async () => {
  const { channel, client } = await channelWithFive();
  await assert.rejects(client.history(channel, { limit: 5, since: { offset: 1, epoch: 'stale-epoch' } }), (e) => {
    assert.deepEqual(errorOf(e), { code: 112, message: 'unrecoverable position' });
    return true;
  });
});

test('history in a namespace without history_size: 108', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  for (const channel of [`nopres:${h.uniq('x')}`, h.uniq('plain-')]) {
    await assert.rejects(client.history(channel, { limit: 10 }), (e) => {
      assert.deepEqual(errorOf(e), { code: 108, message: 'not available' }, channel);
      return true;
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Join / leave

test('join and leave pushes reach subscribers that asked for them (joinLeave) in a join_leave namespace', T, async () => {
  const channel = `chat:${h.uniq('jl')}`;
  const watcher = await cf.cfConnected(node, { token: await token(), label: 'watcher' });
  const quiet = await cf.cfConnected(node, { token: await cf.connToken(APP, { sub: 'quiet' }), label: 'quiet' });
  const { sub: watching } = await cf.cfSubscribed(watcher.client, channel, { joinLeave: true });
  const { sub: notWatching } = await cf.cfSubscribed(quiet.client, channel);

  const carol = await cf.cfConnected(node, {
    token: await cf.connToken(APP, { sub: 'carol', info: { name: 'Carol' } }),
    label: 'carol',
  });
  const { sub: carolSub } = await cf.cfSubscribed(carol.client, channel);
  const join = await watching.log.wait('join', (j) => j.info.user === 'carol');
  assert.deepEqual(join, {
    channel,
    info: { client: carol.ctx.client, user: 'carol', connInfo: { name: 'Carol' } },
  });
  carolSub.unsubscribe();
  const leave = await watching.log.wait('leave');
  assert.deepEqual(leave, {
    channel,
    info: { client: carol.ctx.client, user: 'carol', connInfo: { name: 'Carol' } },
  });
  await cf.sleep(300);
  assert.equal(notWatching.log.all('join').length, 0, 'no join push without joinLeave');
  assert.equal(notWatching.log.all('leave').length, 0);
  // Every arrival after the watcher's own subscribe was announced to it, its own was not.
  assert.deepEqual(
    watching.log.all('join').map((j) => j.info.user),
    ['quiet', 'carol'],
  );

  // A namespace without join_leave sends none, even when asked.
  const other = `nopres:${h.uniq('jl')}`;
  const { sub: asked } = await cf.cfSubscribed(watcher.client, other, { joinLeave: true });
  const dave = await cf.cfConnected(node, { token: await cf.connToken(APP, { sub: 'dave' }), label: 'dave' });
  await cf.cfSubscribed(dave.client, other);
  await cf.sleep(300);
  assert.equal(asked.log.all('join').length, 0);
});

// ---------------------------------------------------------------------------------------------
// Server-side subscriptions

test('server-side subscriptions from the token "channels" claim: publications arrive without a client subscribe', T, async () => {
  const channel = `personal:${h.uniq('u')}`;
  const { client } = await cf.cfConnected(node, { token: await token({ channels: [channel] }) });
  const subscribed = await client.log.wait('subscribed', (c) => c.channel === channel);
  assert.equal(subscribed.recoverable, true, 'personal keeps history');
  assert.equal(subscribed.wasRecovering, false);
  assert.equal(client.getSubscription(channel), null, 'no client-side subscription exists');

  const { client: publisher } = await cf.cfConnected(node, { token: await cf.connToken(APP, { sub: 'svc' }) });
  await publisher.publish(channel, { alert: 'first' });
  const pub = await client.log.wait('publication', (p) => p.channel === channel);
  assert.deepEqual(pub.data, { alert: 'first' });
  assert.equal(pub.offset, 1);
  assert.equal(pub.info.user, 'svc');
});

// ---------------------------------------------------------------------------------------------
// Token refresh (B09)

test('B09: refresh keeps a connection past exp; no refresh (a) and an expired refresh (b) both end with 3005; another sub (c) 3500', { timeout: 90_000 }, async () => {
  const exp = cf.nowSeconds() + 3;
  const GRACE_S = 25;

  // Good: the js client refreshes with a fresh token and stays.
  let goodCalls = 0;
  const good = cf.cfClient(node, {
    token: await token({ exp }),
    label: 'refreshing',
    getToken: async () => {
      goodCalls += 1;
      return token({ expIn: 600 });
    },
  });
  good.connect();
  await good.log.wait('connected');

  // (a) raw, answers pings, never refreshes.
  const { client: a, reply: aReply } = await cf.rawConnected(node, await token({ exp }), { autoPong: true, label: '(a)' });
  assert.equal(aReply.connect.expires, true);
  assert.ok(aReply.connect.ttl >= 1 && aReply.connect.ttl <= 3, `ttl ${aReply.connect.ttl}`);
  // (b) raw, refreshes before expiry with an already expired token.
  const { client: b } = await cf.rawConnected(node, await token({ exp }), { autoPong: true, label: '(b)' });
  b.command('refresh', { token: await token({ exp: cf.nowSeconds() - 5 }) });
  // (c) raw, refreshes with a token of another user.
  const { client: c } = await cf.rawConnected(node, await token({ exp }), { autoPong: true, label: '(c)' });
  c.command('refresh', { token: await cf.connToken(APP, { sub: 'mallory', expIn: 600 }) });

  const cClosed = await c.waitClose();
  assert.equal(cClosed.code, 3500, '(c) another user on a live connection');
  const aClosed = await a.waitClose((GRACE_S + 15) * 1000);
  const bClosed = await b.waitClose((GRACE_S + 15) * 1000);
  assert.equal(aClosed.code, 3005, '(a) no refresh: "connection expired"');
  assert.equal(bClosed.code, aClosed.code, '(a) and (b) end with the same close code');
  assert.equal(bClosed.reason, aClosed.reason);
  assert.ok(aClosed.code >= 3000 && aClosed.code < 3500, 'a reconnect code');
  assert.ok(!(aClosed.code >= 4000 && aClosed.code < 4100));

  // The refreshing client is still on its first connection, past exp + grace.
  const wait = (exp + GRACE_S + 3) * 1000 - Date.now();
  if (wait > 0) await cf.sleep(wait);
  assert.ok(goodCalls >= 1, 'getToken was called for the refresh');
  assert.equal(good.state, 'connected');
  assert.equal(good.log.all('connected').length, 1, 'never reconnected');
  assert.equal(good.log.all('disconnected').length, 0);
  assert.equal(good.log.all('connecting').length, 1, 'only the initial connecting');

  // A new connection with the stale token (what the client does right after the 3005): 109;
  // with a fresh one: connected.
  const stale = await cf.rawCf(node);
  assert.deepEqual(
    await stale.call('connect', { token: await token({ exp }) }),
    { id: 1, error: { code: 109, message: 'token expired' } },
    `a token whose exp passed ${cf.nowSeconds() - exp} s ago must not connect`,
  );
  await cf.rawConnected(node, await token({ expIn: 600 }));
});

test('B09 with centrifuge-js: getToken returning an expired token gives 3005, then 109 on reconnect, then a fresh token connects', T, async () => {
  const tokens = [await token({ exp: cf.nowSeconds() - 120 })];
  let calls = 0;
  const client = cf.cfClient(node, {
    token: await token({ exp: cf.nowSeconds() + 2 }),
    minReconnectDelay: 100,
    maxReconnectDelay: 500,
    getToken: async () => {
      calls += 1;
      return calls === 1 ? tokens[0] : token({ expIn: 600 });
    },
  });
  client.connect();
  const first = await client.log.wait('connected');
  const reconnecting = await client.log.wait('connecting', (c) => c.code !== 0, { timeout: 10_000 });
  assert.deepEqual({ code: reconnecting.code, reason: reconnecting.reason }, { code: 3005, reason: 'connection expired' });
  const error = await client.log.wait('error', (e) => e.type === 'connect', { timeout: 10_000 });
  assert.equal(error.error.code, 109);
  const second = await client.log.wait('connected', () => true, { timeout: 10_000 });
  assert.notEqual(second.client, first.client);
  assert.equal(calls, 2);
  assert.equal(client.log.all('disconnected').length, 0);
});

test('subscription token expiry: a refreshing subscriber stays; one that never refreshes gets unsubscribe 2501', { timeout: 90_000 }, async () => {
  const GRACE_S = 25;
  const channel = `$${h.uniq('secret-')}`;
  const exp = cf.nowSeconds() + 3;
  // centrifuge-js refreshes through the subscription getToken (sub_refresh).
  let calls = 0;
  const { client } = await cf.cfConnected(node, { token: await token() });
  const sub = client.sub(channel, {
    token: await cf.subToken(APP, { sub: 'alice', channel, exp }),
    getToken: async () => {
      calls += 1;
      return cf.subToken(APP, { sub: 'alice', channel, expIn: 600 });
    },
  });
  sub.subscribe();
  await sub.log.wait('subscribed');
  // A raw subscriber with the same short token never sends sub_refresh.
  const { client: raw } = await cf.rawConnected(node, await token(), { autoPong: true });
  const reply = await raw.call('subscribe', {
    channel,
    token: await cf.subToken(APP, { sub: 'alice', channel, exp }),
  });
  assert.equal(reply.subscribe.expires, true);
  assert.ok(reply.subscribe.ttl >= 1 && reply.subscribe.ttl <= 3, `ttl ${reply.subscribe.ttl}`);

  const push = await raw.waitPush((p) => p.channel === channel && p.unsubscribe, { timeout: (GRACE_S + 15) * 1000 });
  assert.equal(push.unsubscribe.code, 2501, 'subscription expired');
  assert.ok(raw.isOpen, 'the connection stays');
  assert.ok(calls >= 1, 'centrifuge-js refreshed the subscription token');
  assert.equal(sub.state, 'subscribed');
  assert.equal(sub.log.all('subscribed').length, 1, 'the refreshing subscriber was never resubscribed');
  assert.equal(sub.log.all('error').length, 0);
});

test('a token whose exp has passed is expired at once, with no leeway (as the reference server)', T, async () => {
  const justExpired = cf.nowSeconds() - 10;
  // connect: 109, not a connection with ttl 0 that is closed with 3005 moments later.
  const raw = await cf.rawCf(node);
  assert.deepEqual(await raw.call('connect', { token: await token({ exp: justExpired }) }), {
    id: 1,
    error: { code: 109, message: 'token expired' },
  });
  // refresh: the connection is closed with 3005 and the refresh is not answered.
  const { client: live } = await cf.rawConnected(node, await token({ expIn: 60 }), { autoPong: true });
  const refreshId = live.command('refresh', { token: await token({ exp: justExpired }) });
  const closed = await live.waitClose();
  assert.deepEqual(closed, { code: 3005, reason: 'connection expired' });
  assert.equal(live.replyOf(refreshId), undefined, `no refresh result; got ${JSON.stringify(live.replyOf(refreshId))}`);
  // subscribe: 109.
  const channel = `$${h.uniq('secret-')}`;
  const { client: subscriber } = await cf.rawConnected(node, await token());
  const subReply = await subscriber.call('subscribe', {
    channel,
    token: await cf.subToken(APP, { sub: 'alice', channel, exp: justExpired }),
  });
  assert.deepEqual(subReply, { id: 2, error: { code: 109, message: 'token expired' } });
});

// ---------------------------------------------------------------------------------------------
// Other commands

test('rpc without handlers: error 104', T, async () => {
  const { client } = await cf.cfConnected(node, { token: await token() });
  await assert.rejects(client.rpc('getTime', { tz: 'UTC' }), (e) => {
    assert.deepEqual(errorOf(e), { code: 104, message: 'method not found' });
    return true;
  });
  assert.equal(client.state, 'connected');
});

// ---------------------------------------------------------------------------------------------
// Framing and robustness

test('malformed frames close with 3501; other clients are unaffected', T, async () => {
  const channel = `chat:${h.uniq('victim')}`;
  const { client: victim } = await cf.cfConnected(node, { token: await token(), label: 'victim' });
  const { sub } = await cf.cfSubscribed(victim, channel);

  const cases = [
    { name: 'not JSON', connect: true, frame: '{"id":2,"subscribe":{"channel":' },
    { name: 'two methods', connect: true, frame: `{"id":2,"subscribe":{"channel":"${channel}"},"publish":{"channel":"${channel}","data":{}}}` },
    { name: 'id 0', connect: true, frame: `{"id":0,"subscribe":{"channel":"${channel}"}}` },
    { name: 'a command before connect', connect: false, frame: `{"id":1,"subscribe":{"channel":"${channel}"}}` },
    { name: 'a second connect', connect: true, frame: `{"id":2,"connect":{"token":"${await token()}"}}` },
  ];
  for (const c of cases) {
    const raw = c.connect ? (await cf.rawConnected(node, await token())).client : await cf.rawCf(node);
    raw.send(c.frame);
    const closed = await raw.waitClose();
    assert.equal(closed.code, 3501, c.name);
    assert.equal(closed.reason, 'bad request', c.name);
    assert.equal(raw.replyOf(c.connect ? 2 : 1), undefined, `${c.name}: no reply`);
  }

  // A pong without an outstanding ping is ignored, not a protocol error.
  const { client: ponger } = await cf.rawConnected(node, await token());
  ponger.send('{}');
  assert.deepEqual(await ponger.call('presence_stats', { channel }), { id: 2, presence_stats: { num_clients: 1, num_users: 1 } });
  assert.ok(ponger.isOpen);

  const { client: publisher } = await cf.cfConnected(node, { token: await cf.connToken(APP, { sub: 'pub' }) });
  await publisher.publish(channel, { after: 'attacks' });
  const pub = await sub.log.wait('publication');
  assert.deepEqual(pub.data, { after: 'attacks' });
  assert.equal(victim.state, 'connected');
  assert.equal(victim.log.all('connected').length, 1, 'the victim never reconnected');
  await cf.rawConnected(node, await token());
});

test('one frame with connect, subscribe and publish lines is processed in order', T, async () => {
  const channel = `chat:${h.uniq('batch')}`;
  const raw = await cf.rawCf(node);
  raw.send([
    { id: 1, connect: { token: await token({ info: { n: 1 } }), name: 'raw' } },
    { id: 2, subscribe: { channel, recoverable: true, flag: 1 } },
    { id: 3, publish: { channel, data: { first: true } } },
  ]);
  await raw.waitPush((p) => p.pub);
  const kinds = raw.lines.map((l) => {
    if (l.json.id) return `reply ${l.json.id} ${Object.keys(l.json).filter((k) => k !== 'id')[0]}`;
    if (l.json.push) return `push ${Object.keys(l.json.push).filter((k) => k !== 'channel')[0]}`;
    return 'ping';
  });
  assert.deepEqual(kinds, ['reply 1 connect', 'reply 2 subscribe', 'reply 3 publish', 'push pub']);
  const clientId = raw.replyOf(1).connect.client;
  assert.deepEqual(raw.replyOf(3), { id: 3, publish: {} });
  assert.deepEqual(raw.pushes((p) => p.pub)[0], {
    channel,
    pub: { data: { first: true }, offset: 1, info: { user: 'alice', client: clientId, conn_info: { n: 1 } } },
  });
});

test('a frame above max_message_bytes is closed with 1009', T, async () => {
  const { client: raw } = await cf.rawConnected(node, await token());
  raw.send({ id: 2, publish: { channel: `chat:${h.uniq('big')}`, data: { blob: 'x'.repeat(20_000) } } });
  const closed = await raw.waitClose();
  assert.equal(closed.code, 1009);
});

test('no connect command within 10 s: close 3502 "stale"', { timeout: 60_000 }, async () => {
  const raw = await cf.rawCf(node);
  const closed = await raw.waitClose(25_000);
  assert.deepEqual(closed, { code: 3502, reason: 'stale' });
  assert.equal(raw.lines.length, 0, 'nothing was sent before the close');
});

test('a client that does not answer pings is closed with 3012 (activity_timeout 2, pong_timeout 2)', T, async () => {
  const fast = await startNode({ activity_timeout: 2, pong_timeout: 2 }, 'centrifuge-pings');
  const fastToken = await cf.connToken(fast.app, { sub: 'alice' });
  const { client: answering, reply } = await cf.rawConnected(fast, fastToken, { autoPong: true, label: 'answering' });
  assert.equal(reply.connect.ping, 2);
  assert.equal(reply.connect.pong, true);
  const { client: silent } = await cf.rawConnected(fast, fastToken, { label: 'silent' });
  const { client: js } = await cf.cfConnected(fast, { token: fastToken, label: 'js on fast node' });

  const closed = await silent.waitClose(15_000);
  assert.deepEqual(closed, { code: 3012, reason: 'no pong' });
  assert.ok(silent.pings >= 1, 'the silent client was pinged with {}');
  assert.ok(silent.lines.some((l) => l.text === '{}'), 'the ping is the bare {}');
  await cf.sleep(3_000);
  assert.ok(answering.isOpen, 'a client that answers pings stays');
  assert.ok(answering.pings >= 2);
  assert.equal(js.state, 'connected', 'centrifuge-js answers the pings');
  assert.equal(js.log.all('connected').length, 1);
  await fast.stop();
});
