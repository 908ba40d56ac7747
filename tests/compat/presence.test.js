'use strict';

// Presence channels: roster, join/leave once per user, string ids, forged channel_data, limits
// (protocol brief 1.6; B01, B02).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const LIMITED = { id: '102', key: 'key2', secret: 'secret2', max_presence_members: 3, max_presence_member_bytes: 200 };
const node = useNode({ apps: [LIMITED] }, 'presence');
const T = { timeout: 90_000 };
// Removal may be delayed by a grace period (the brief allows up to 3 s): wait that plus slack.
const LEAVE_WAIT_MS = 5_000;

const isAdded = (channel, userId) => (m) =>
  m.event === 'pusher_internal:member_added' && m.channel === channel && m.data?.user_id === userId;
const isRemoved = (channel, userId) => (m) =>
  m.event === 'pusher_internal:member_removed' && m.channel === channel && m.data?.user_id === userId;

async function join(channel, userId, info = {}, options = {}) {
  const c = await h.open(node, options);
  const ok = await h.subOk(c, channel, { user: { id: userId, info }, app: options.app });
  return { c, ok };
}

test('subscription_succeeded carries the presence roster including the new member', T, async () => {
  const channel = h.uniq('presence-');
  const { c, ok } = await join(channel, 'u1', { name: 'Ada' });
  assert.equal(typeof ok.rawData, 'string', 'pusher_internal data is a JSON string');
  assert.deepEqual(ok.data, { presence: { ids: ['u1'], hash: { u1: { name: 'Ada' } }, count: 1 } });

  const second = await join(channel, 'u2', { name: 'Bob' });
  const p = second.ok.data.presence;
  assert.equal(p.count, 2);
  assert.deepEqual([...p.ids].sort(), ['u1', 'u2']);
  assert.deepEqual(p.hash, { u1: { name: 'Ada' }, u2: { name: 'Bob' } });

  const added = await c.waitFor(isAdded(channel, 'u2'));
  assert.deepEqual(added.data, { user_id: 'u2', user_info: { name: 'Bob' } });
  assert.equal(typeof added.rawData, 'string');
  assert.equal(second.c.events('pusher_internal:member_added').length, 0, 'no member_added about oneself');
  await second.c.close();
  await c.close();
});

test('member_added and member_removed are sent exactly once on join and explicit unsubscribe', T, async () => {
  const channel = h.uniq('presence-');
  const { c: watcher } = await join(channel, 'w');
  const { c: joiner } = await join(channel, 'j', { k: 1 });
  await watcher.waitFor(isAdded(channel, 'j'));
  joiner.send({ event: 'pusher:unsubscribe', data: { channel } });
  const removed = await watcher.waitFor(isRemoved(channel, 'j'), { timeout: LEAVE_WAIT_MS + 2_000 });
  assert.deepEqual(removed.data, { user_id: 'j' });
  await h.sleep(1_000);
  assert.equal(watcher.messages.filter(isAdded(channel, 'j')).length, 1);
  assert.equal(watcher.messages.filter(isRemoved(channel, 'j')).length, 1);
  assert.ok(joiner.isOpen);
  await joiner.close();
  await watcher.close();
});

test('B01: a second connection of the same user adds no member and its close removes none', T, async () => {
  const channel = h.uniq('presence-room-');
  const { c: a } = await join(channel, 'uA');
  const mark = a.mark();
  const { c: b1 } = await join(channel, 'uB');
  await a.waitFor(isAdded(channel, 'uB'));
  const { c: b2, ok: b2ok } = await join(channel, 'uB');

  const p = b2ok.data.presence;
  assert.equal(p.count, 2);
  assert.deepEqual([...p.ids].sort(), ['uA', 'uB']);
  assert.equal(new Set(p.ids).size, p.ids.length, 'ids without repeats');
  assert.deepEqual(Object.keys(p.hash).sort(), ['uA', 'uB']);

  await b2.close();
  await h.sleep(LEAVE_WAIT_MS);
  const seen = a.since(mark);
  assert.equal(seen.filter(isAdded(channel, 'uB')).length, 1, 'exactly one member_added for uB');
  assert.equal(seen.filter((m) => m.event === 'pusher_internal:member_removed').length, 0, 'no member_removed');
  await b1.close();
  await a.close();
});

test('B02: member_removed only after the last connection drops, once per presence channel', T, async () => {
  const chA = h.uniq('presence-a-');
  const chB = h.uniq('presence-b-');
  const o = await h.open(node);
  await h.subOk(o, chA, { user: { id: 'u0' } });
  await h.subOk(o, chB, { user: { id: 'u0' } });

  const c1 = (await join(chA, 'u1')).c;
  const c2 = (await join(chA, 'u1')).c;
  const c3 = (await join(chA, 'u1')).c;
  await h.subOk(c3, chB, { user: { id: 'u1' } });
  await o.waitFor(isAdded(chA, 'u1'));
  await o.waitFor(isAdded(chB, 'u1'));

  await c1.close(1000);
  await h.sleep(LEAVE_WAIT_MS);
  await c2.destroy(); // TCP gone without a close frame
  await h.sleep(LEAVE_WAIT_MS);
  assert.equal(o.messages.filter((m) => m.event === 'pusher_internal:member_removed').length, 0, 'removed too early');

  await c3.destroy();
  await o.waitFor(isRemoved(chA, 'u1'), { timeout: LEAVE_WAIT_MS + 2_000 });
  await o.waitFor(isRemoved(chB, 'u1'), { timeout: LEAVE_WAIT_MS + 2_000 });
  await h.sleep(1_000);
  const removals = o.messages.filter((m) => m.event === 'pusher_internal:member_removed');
  assert.equal(removals.length, 2, h.describeMessages(removals));
  for (const m of removals) assert.deepEqual(m.data, { user_id: 'u1' });

  const users = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${chA}/users`);
  assert.equal(users.status, 200, users.text);
  assert.deepEqual(users.json, { users: [{ id: 'u0' }] });
  await o.close();
});

test('user ids are compared as strings: user_id 10 and "10" are one member', T, async () => {
  const channel = h.uniq('presence-');
  const { c: o } = await join(channel, 'obs');
  const numeric = await h.open(node);
  const okNumeric = await h.subOk(numeric, channel, { channel_data: JSON.stringify({ user_id: 10, user_info: { n: 1 } }) });
  for (const id of okNumeric.data.presence.ids) assert.equal(typeof id, 'string', 'presence ids are strings');
  assert.deepEqual([...okNumeric.data.presence.ids].sort(), ['10', 'obs']);

  const added = await o.waitFor(isAdded(channel, '10'));
  assert.equal(added.data.user_id, '10');

  const stringy = await h.open(node);
  const okString = await h.subOk(stringy, channel, { channel_data: JSON.stringify({ user_id: '10', user_info: { n: 1 } }) });
  assert.equal(okString.data.presence.count, 2);
  assert.deepEqual([...okString.data.presence.ids].sort(), ['10', 'obs']);

  await h.sleep(1_000);
  assert.equal(o.messages.filter((m) => m.event === 'pusher_internal:member_added').length, 1);
  await numeric.close();
  await h.sleep(LEAVE_WAIT_MS);
  assert.equal(o.messages.filter((m) => m.event === 'pusher_internal:member_removed').length, 0);
  await stringy.close();
  const removed = await o.waitFor(isRemoved(channel, '10'), { timeout: LEAVE_WAIT_MS + 2_000 });
  assert.equal(removed.data.user_id, '10');
  await o.close();
});

test('forged channel_data (signature over other channel_data) and missing channel_data are refused', T, async () => {
  const channel = h.uniq('presence-');
  const { c: o } = await join(channel, 'obs');
  const c = await h.open(node);
  const signed = h.pdata('u1', { role: 'user' });
  const forged = h.pdata('u1', { role: 'admin' });
  const reply = await h.sub(c, channel, { channel_data: forged, auth: h.chanAuth(c.socketId, channel, signed) });
  h.assertSubscriptionError(reply, channel, { auth: true });
  assert.ok(c.isOpen);

  const noData = await h.sub(c, channel, { auth: h.chanAuth(c.socketId, channel) });
  h.assertSubscriptionError(noData, channel);
  assert.ok(c.isOpen);

  await h.sleep(1_000);
  assert.equal(o.messages.filter((m) => m.event === 'pusher_internal:member_added').length, 0);
  const users = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${channel}/users`);
  assert.deepEqual(users.json, { users: [{ id: 'obs' }] });
  await h.subOk(c, channel, { channel_data: signed });
  await c.close();
  await o.close();
});

test('default member limit is 100: the 101st user is refused, another connection of a member is not', T, async () => {
  const channel = h.uniq('presence-full-');
  const members = [];
  for (let start = 0; start < 100; start += 20) {
    members.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => join(channel, `m${start + i}`)))));
  }
  const extra = await h.open(node);
  const reply = await h.sub(extra, channel, { user: { id: 'm100' } });
  h.assertSubscriptionError(reply, channel);
  assert.ok(extra.isOpen);

  const again = await join(channel, 'm7');
  assert.equal(again.ok.data.presence.count, 100);
  await Promise.all([again.c.close(), extra.close(), ...members.map(({ c }) => c.close())]);
});

test('configured member limit (max_presence_members 3) gives subscription_error to the 4th user', T, async () => {
  const app = node.appById('102');
  const channel = h.uniq('presence-');
  const members = [];
  for (const id of ['u1', 'u2', 'u3']) members.push(await join(channel, id, {}, { app }));
  const c = await h.open(node, { app });
  const reply = await h.sub(c, channel, { user: { id: 'u4' } });
  h.assertSubscriptionError(reply, channel);
  assert.ok(c.isOpen);
  const sameUser = await join(channel, 'u2', {}, { app });
  assert.equal(sameUser.ok.data.presence.count, 3);
  await Promise.all([c.close(), sameUser.c.close(), ...members.map((m) => m.c.close())]);
});

test('member size limit: a small user_info is accepted, an oversize one gets subscription_error', T, async () => {
  // Default limit is 1 KB.
  const channel = h.uniq('presence-');
  const { c: small } = await join(channel, 'small', { bio: 'x'.repeat(100) });
  const big = await h.open(node);
  const reply = await h.sub(big, channel, { user: { id: 'big', info: { bio: 'x'.repeat(2048) } } });
  h.assertSubscriptionError(reply, channel);
  assert.ok(big.isOpen);

  // Configured limit of 200 bytes on app2.
  const app = node.appById('102');
  const channel2 = h.uniq('presence-');
  const { c: small2 } = await join(channel2, 's', { bio: 'y'.repeat(50) }, { app });
  const big2 = await h.open(node, { app });
  const reply2 = await h.sub(big2, channel2, { user: { id: 'b', info: { bio: 'y'.repeat(400) } } });
  h.assertSubscriptionError(reply2, channel2);
  await Promise.all([small.close(), big.close(), small2.close(), big2.close()]);
});

test('user_id limit is 128 characters: 128 are accepted, 129 get subscription_error', T, async () => {
  const channel = h.uniq('presence-');
  const { c: ok } = await join(channel, 'i'.repeat(128));
  const tooLong = await h.open(node);
  const reply = await h.sub(tooLong, channel, { user: { id: 'i'.repeat(129) } });
  h.assertSubscriptionError(reply, channel);
  assert.ok(tooLong.isOpen);
  await Promise.all([ok.close(), tooLong.close()]);
});

test('pusher-js presence: members, me, member_added and member_removed', T, async () => {
  const channel = h.uniq('presence-');
  const a = h.pusherClient(node, { presence: () => ({ user_id: 'alice', user_info: { name: 'Alice' } }) });
  const chA = a.subscribe(channel);
  await h.once(chA, 'pusher:subscription_succeeded');
  const added = h.once(chA, 'pusher:member_added');

  const b = h.pusherClient(node, { presence: () => ({ user_id: 'bob', user_info: { name: 'Bob' } }) });
  const chB = b.subscribe(channel);
  const members = await h.once(chB, 'pusher:subscription_succeeded');
  assert.equal(members.count, 2);
  assert.equal(members.me.id, 'bob');
  assert.deepEqual(members.get('alice'), { id: 'alice', info: { name: 'Alice' } });
  assert.deepEqual(await added, { id: 'bob', info: { name: 'Bob' } });

  const removed = h.once(chA, 'pusher:member_removed', LEAVE_WAIT_MS + 2_000);
  await h.disconnectPusher(b);
  assert.deepEqual(await removed, { id: 'bob', info: { name: 'Bob' } });
  assert.equal(chA.members.count, 1);
  await h.disconnectPusher(a);
});
