'use strict';

// The admin protocol (docs/admin-protocol.md) against one real node: TLS and the printed
// fingerprint, keys and roles, login limits, each stream's snapshot and deltas, each command's
// effect seen through the client protocols, and the audit log.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const jose = require('jose');
const WebSocket = require('ws');
const { useNode } = require('../compat/lib/node');
const h = require('../compat/lib/helpers');
const cf = require('../compat/lib/centrifuge');
const { adminKeys, adminConnect, adminSession, Collection } = require('../compat/lib/admin');

const node = useNode({ node_name: 'console-test', app: { namespaces: [{ name: '', presence: true }] } }, 'admin');
const T = { timeout: 60_000 };

function auditLines() {
  const file = path.join(node.dataDir, 'audit.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [];
}

test('the certificate the node serves has the fingerprint it printed', T, async () => {
  const client = await adminConnect(node);
  assert.match(node.adminFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(client.fingerprint, node.adminFingerprint);
});

test('hello with the admin key names the role, the node and the cluster', T, async () => {
  const admin = await adminSession(node);
  assert.equal(admin.hello.protocol, 1);
  assert.equal(admin.hello.role, 'admin');
  assert.equal(admin.hello.key_name, 'admin');
  assert.equal(admin.hello.node.name, 'console-test');
  assert.equal(admin.hello.node.region, 'default');
  assert.match(admin.hello.node.id, /^[0-9a-f]{16}$/);
  assert.match(admin.hello.cluster.id, /^c[0-9a-f]{32}$/);
  const readOnly = await adminSession(node, { keyName: 'read-only' });
  assert.equal(readOnly.hello.role, 'read-only');
});

test('a wrong key is refused and the connection closed with 4001', T, async () => {
  const client = await adminConnect(node);
  const reply = await client.call('hello', { protocol: 1, key: 'dna_not-the-key' });
  assert.equal(reply.error.code, 'unauthorized');
  assert.equal((await client.waitClose()).code, 4001);
  const entry = auditLines().at(-1);
  assert.equal(entry.method, 'hello');
  assert.equal(entry.outcome, 'unauthorized');
  assert.equal(entry.address, '127.0.0.1');
});

test('requests before hello, unknown methods, bad JSON and unknown versions get their errors', T, async () => {
  const client = await adminConnect(node);
  assert.equal((await client.call('subscribe', { stream: 'topology' })).error.code, 'unauthenticated');
  assert.equal((await client.call('hello', { protocol: 2, key: adminKeys(node).admin })).error.code, 'unsupported_protocol');
  client.ws.send('{not json');
  await client.waitUntil(() => client.replies.find((r) => r.id === null && r.error.code === 'bad_request'), 'bad_request');
  client.ws.send(JSON.stringify({ id: -3, method: 'hello' }));
  await client.waitUntil(() => client.replies.filter((r) => r.id === null).length === 2, 'a second bad_request');
  await client.ok('hello', { protocol: 1, key: adminKeys(node).admin });
  assert.equal((await client.call('format_disk', {})).error.code, 'unknown_method');
  assert.equal((await client.call('subscribe', { stream: 'weather' })).error.code, 'bad_request');
  assert.equal((await client.call('subscribe', { stream: 'channels', limit: 5000 })).error.code, 'bad_request');
  assert.equal((await client.call('unsubscribe', { stream: 99 })).error.code, 'not_found');
  // The connection survived every error.
  assert.equal(client.closeInfo, undefined);
});

test('a binary frame closes the admin connection with 1003', T, async () => {
  const admin = await adminSession(node);
  admin.ws.send(Buffer.from([1, 2, 3]));
  assert.equal((await admin.waitClose()).code, 1003);
});

test('the read-only role may watch but not run commands', T, async () => {
  const readOnly = await adminSession(node, { keyName: 'read-only' });
  await readOnly.subscribe({ stream: 'topology' });
  const reply = await readOnly.call('publish', { app: node.app.id, channel: 'x', event: 'e', data: 'd' });
  assert.equal(reply.error.code, 'forbidden');
  const entry = auditLines().at(-1);
  assert.deepEqual([entry.method, entry.outcome, entry.key_name, entry.role], ['publish', 'forbidden', 'read-only', 'read-only']);
});

test('topology: the node itself, alive, with its version and connection count', T, async () => {
  const admin = await adminSession(node);
  const { stream, snapshot } = await admin.subscribe({ stream: 'topology' });
  assert.equal(snapshot.nodes.length, 1);
  const self = snapshot.nodes[0];
  assert.equal(self.key, admin.hello.node.id);
  assert.equal(self.self, true);
  assert.equal(self.state, 'alive');
  assert.equal(self.name, 'console-test');
  assert.equal(self.version, '0.1.0');
  assert.equal(self.gateway, true);
  assert.deepEqual(snapshot.links, []);
  const nodes = new Collection(admin, stream, 'nodes', snapshot);
  const before = self.connections;
  const client = await h.open(node);
  await nodes.until((c) => c.get(self.key).connections === before + 1, 'the new connection in the topology');
  await client.close();
  await nodes.until((c) => c.get(self.key).connections === before, 'the connection gone from the topology');
});

test('channels: subscribers, presence members and the publication rate, paged and filtered', T, async () => {
  const admin = await adminSession(node);
  const channel = h.uniq('news-');
  const { stream, snapshot } = await admin.subscribe({ stream: 'channels', filter: 'news-' });
  const channels = new Collection(admin, stream, 'channels', snapshot);
  const key = `${node.app.id}/${channel}`;
  const a = await h.open(node);
  const b = await h.open(node);
  await h.subOk(a, channel);
  await h.subOk(b, channel);
  await channels.until((c) => c.get(key)?.subscribers === 2, 'two subscribers');
  assert.equal(channels.get(key).members, null);
  assert.equal(channels.get(key).app, node.app.id);
  assert.equal(channels.get(key).name, channel);

  // Ten publications within a second show as a rate of at least one per second.
  for (let i = 0; i < 10; ++i) await h.triggerOk(node, channel, 'tick', String(i));
  await channels.until((c) => c.get(key)?.rate >= 1, 'a publication rate');

  const presence = `presence-${h.uniq('room-')}`;
  const p = await admin.subscribe({ stream: 'channels', filter: presence });
  const rooms = new Collection(admin, p.stream, 'channels', p.snapshot);
  await h.subOk(a, presence, { user: { id: 'u1' } });
  await h.subOk(b, presence, { user: { id: 'u1' } });
  await rooms.until((c) => c.get(`${node.app.id}/${presence}`)?.members === 1, 'one presence member');
  assert.equal(rooms.get(`${node.app.id}/${presence}`).subscribers, 2);
  assert.equal(rooms.fields.total, 1);

  // Paging: one per page, sorted by name.
  const paged = await admin.subscribe({ stream: 'channels', sort: 'name', limit: 1, offset: 1 });
  assert.equal(paged.snapshot.channels.length, 1);
  assert.ok(paged.snapshot.total >= 2);

  await a.close();
  await b.close();
  await channels.until((c) => !c.items.has(key), 'the channel removed once empty');
});

test('connections: protocol, app, user and address; kick closes one and it disappears', T, async () => {
  const admin = await adminSession(node);
  const { stream, snapshot } = await admin.subscribe({ stream: 'connections' });
  const connections = new Collection(admin, stream, 'connections', snapshot);
  const pusher = await h.open(node);
  await h.subOk(pusher, h.uniq('c-'));
  const { client: centrifuge } = await cf.rawConnected(node, await cf.connToken(node.app, { sub: 'alice' }));
  const rows = await connections.until((c) => (c.items.size >= 2 ? [...c.items.values()] : null), 'two connections');
  const alice = rows.find((r) => r.user === 'alice');
  const viaPusher = rows.find((r) => r.protocol === 'pusher');
  assert.equal(alice.protocol, 'centrifuge');
  assert.equal(alice.app, node.app.id);
  assert.equal(alice.address, '127.0.0.1');
  assert.equal(alice.node, admin.hello.node.id);
  assert.equal(viaPusher.channels, 1);
  assert.ok(Math.abs(viaPusher.connected_at - Date.now()) < 60_000, 'connected_at is a time in ms');

  const filtered = await admin.subscribe({ stream: 'connections', filter: 'alice' });
  assert.deepEqual(filtered.snapshot.connections.map((r) => r.user), ['alice']);

  assert.deepEqual(await admin.ok('kick', { connection: viaPusher.id }), {});
  const error = await pusher.waitEvent('pusher:error');
  assert.equal(error.data.code, 4009);
  assert.equal((await pusher.waitClose()).code, 4009);
  await connections.until((c) => !c.items.has(viaPusher.key), 'the kicked connection gone');
  assert.equal((await admin.call('kick', { connection: viaPusher.id })).error.code, 'not_found');

  assert.deepEqual(await admin.ok('kick', { connection: alice.id }), {});
  assert.equal((await centrifuge.closed).code, 3503);
  await connections.until((c) => !c.items.has(alice.key), 'the kicked Centrifuge connection gone');
  const audit = auditLines().filter((e) => e.method === 'kick');
  assert.deepEqual(audit.map((e) => e.outcome), ['ok', 'not_found', 'ok']);
});

test('traffic: a sample every second with connections and message rates', T, async () => {
  const admin = await adminSession(node);
  const { stream, snapshot } = await admin.subscribe({ stream: 'traffic' });
  assert.equal(snapshot.nodes.length, 1);
  assert.equal(snapshot.nodes[0].id, admin.hello.node.id);
  const channel = h.uniq('t-');
  const client = await h.open(node);
  await h.subOk(client, channel);
  for (let i = 0; i < 5; ++i) await h.triggerOk(node, channel, 'tick', 'x'.repeat(100));
  const sample = await admin.waitEvent(
    stream,
    (e) => e.event === 'delta' && e.data.total.messages_out >= 5 && e.data.total.connections >= 1,
    'a sample with the deliveries',
  );
  assert.ok(sample.data.total.bytes_out >= 5 * 100, JSON.stringify(sample.data));
  assert.ok(sample.data.total.messages_in >= 5, JSON.stringify(sample.data));
  assert.deepEqual(sample.data.nodes[0].messages_out, sample.data.total.messages_out);
});

test('tail: each publication on the channel as it is delivered', T, async () => {
  const admin = await adminSession(node);
  const channel = h.uniq('tail-');
  const { stream, snapshot } = await admin.subscribe({ stream: 'tail', app: node.app.id, channel });
  assert.deepEqual(snapshot, { app: node.app.id, channel });
  await h.triggerOk(node, channel, 'order-placed', '{"id":42}');
  const entry = await admin.waitEvent(stream, (e) => e.event === 'delta', 'a tailed publication');
  assert.equal(entry.data.event, 'order-placed');
  assert.equal(entry.data.data, '{"id":42}');
  assert.equal(entry.data.origin, 'api');
  assert.equal((await admin.call('subscribe', { stream: 'tail', app: '999', channel })).error.code, 'not_found');
});

test('issue_token: connection and subscription tokens signed with the app secret', T, async () => {
  const admin = await adminSession(node);
  const issued = await admin.ok('issue_token', {
    app: node.app.id, kind: 'connection', subject: 'bob', expires_in: 600, info: { name: 'Bob' },
  });
  const { payload } = await jose.jwtVerify(issued.token, new TextEncoder().encode(node.app.secret));
  assert.equal(payload.sub, 'bob');
  assert.deepEqual(payload.info, { name: 'Bob' });
  assert.equal(payload.exp, issued.expires_at);
  assert.equal(payload.exp - payload.iat, 600);
  const { reply } = await cf.rawConnected(node, issued.token);
  assert.ok(reply.connect.client, 'the node accepted the issued token');

  const sub = await admin.ok('issue_token', { app: node.app.id, kind: 'subscription', subject: 'bob', channel: 'room' });
  const claims = (await jose.jwtVerify(sub.token, new TextEncoder().encode(node.app.secret))).payload;
  assert.equal(claims.channel, 'room');
  assert.equal((await admin.call('issue_token', { app: node.app.id, kind: 'refresh' })).error.code, 'bad_request');
  assert.equal((await admin.call('issue_token', { app: '999', kind: 'connection' })).error.code, 'not_found');
});

test('create_join_token: a dnj1 token and the command to paste', T, async () => {
  const admin = await adminSession(node);
  const joined = await admin.ok('create_join_token', { ttl: 600 });
  assert.match(joined.token, /^dnj1\./);
  assert.ok(joined.command.startsWith(`DNOTIFIER_JOIN='${joined.token}' `), joined.command);
  assert.ok(joined.command.includes(`DNOTIFIER_APP_ID=${node.app.id}`), joined.command);
  assert.ok(Math.abs(joined.expires_at - (Date.now() / 1000 + 600)) < 60);
  assert.equal((await admin.call('create_join_token', { ttl: 5 })).error.code, 'bad_request');
  assert.equal((await admin.call('create_join_token', { seeds: ['nohost'] })).error.code, 'bad_request');
});

test('publish and terminate_user act as the HTTP API would, on both protocols', T, async () => {
  const admin = await adminSession(node);
  const channel = h.uniq('p-');
  const client = await h.open(node);
  await h.subOk(client, channel);
  await admin.ok('publish', { app: node.app.id, channel, event: 'hello', data: 'from the console' });
  const received = await client.waitEvent('hello', channel);
  assert.equal(received.data, 'from the console');
  assert.equal(auditLines().at(-1).params.data, '(16 bytes)');

  const { client: carol } = await cf.rawConnected(node, await cf.connToken(node.app, { sub: 'carol' }));
  const pusherCarol = await h.open(node);
  await h.signinOk(pusherCarol, { id: 'carol' });
  await admin.ok('terminate_user', { app: node.app.id, user: 'carol' });
  assert.equal((await carol.closed).code, 3503);
  assert.equal((await pusherCarol.waitClose()).code, 4009);
});

test('five failed logins from an address lock it out for the minute, right key or not', T, async () => {
  for (let i = 0; i < 5; ++i) {
    const client = await adminConnect(node);
    const reply = await client.call('hello', { protocol: 1, key: `wrong-${i}` });
    // Earlier tests may have used some of the address's tries.
    if (reply.error.code === 'rate_limited') break;
    assert.equal(reply.error.code, 'unauthorized');
  }
  const client = await adminConnect(node);
  const reply = await client.call('hello', { protocol: 1, key: adminKeys(node).admin });
  assert.equal(reply.error.code, 'rate_limited');
  assert.ok(reply.error.retry_after_ms > 0 && reply.error.retry_after_ms <= 60_000, JSON.stringify(reply));
});

test('drain: the node closes its clients with the reconnect code and exits', T, async () => {
  // A fresh node: the lockout above covers this address on the shared one.
  const { startNode } = require('../compat/lib/node');
  const other = await startNode({}, 'drained');
  const admin = await adminSession(other);
  const client = await h.open(other);
  const exited = other.expectExit();
  assert.deepEqual(await admin.ok('drain'), {});
  assert.equal((await client.waitClose()).code, 4200);
  const exit = await exited;
  assert.equal(exit.code, 0);
});
