'use strict';

// Commands about a user reach the user on every node (issue 4, item 5): Pusher
// terminate_connections and server-to-user events, and the Centrifugo-style disconnect, each
// sent to one node, act on the user's connections on all three.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../compat/lib/helpers');
const cf = require('../compat/lib/centrifuge');
const { useCluster, waitUntil, postJson } = require('./lib/cluster');

const nodes = useCluster(3, { app: { api_key: 'service-key' } });
const T = { timeout: 60_000 };
const QUIET_MS = 700;

async function signedIn(node, id) {
  const client = await h.open(node);
  await h.signinOk(client, { id });
  return client;
}

test('terminate_connections sent to N1 closes the user on every node with 4009', T, async () => {
  const [n1, n2, n3] = nodes;
  const id = h.uniq('user-');
  const onN2 = await signedIn(n2, id);
  const onN3 = await signedIn(n3, id);
  const bystander = await signedIn(n2, h.uniq('other-'));
  const response = await h.api(n1, 'POST', `/apps/${n1.app.id}/users/${id}/terminate_connections`, { body: '{}' });
  assert.equal(response.status, 200, response.text);
  for (const client of [onN2, onN3]) {
    const error = await client.waitEvent('pusher:error');
    assert.equal(error.data.code, 4009);
    assert.equal((await client.closed).code, 4009);
  }
  await h.sleep(QUIET_MS);
  assert.ok(bystander.isOpen, 'another user stays connected');
});

test('sendToUser through N1 reaches the user signed in on N3', T, async () => {
  const [n1, , n3] = nodes;
  const id = h.uniq('user-');
  const channel = `#server-to-user-${id}`;
  const tab = await signedIn(n3, id);
  await h.subOk(tab, channel, { auth: '' });
  await waitUntil('N1 to route the user channel', async () => {
    const r = await h.api(n1, 'GET', `/apps/${n1.app.id}/channels`, { query: { filter_by_prefix: '#server-to-user-' } });
    return r.json?.channels?.[channel] !== undefined || r.json;
  });
  assert.equal((await h.sdk(n1).sendToUser(id, 'direct', { x: 1 })).status, 200);
  const got = await tab.waitEvent('direct', channel);
  assert.equal(got.rawData, '{"x":1}');
  await h.sleep(QUIET_MS);
  assert.equal(tab.events('direct').length, 1);
});

test('a Centrifugo-style disconnect sent to N1 closes the user on N2 and N3 with 3503', T, async () => {
  const [n1, n2, n3] = nodes;
  const user = h.uniq('mallory-');
  const targets = [
    await cf.rawConnected(n2, await cf.connToken(n2.app, { sub: user })),
    await cf.rawConnected(n3, await cf.connToken(n3.app, { sub: user })),
  ];
  const other = await cf.rawConnected(n2, await cf.connToken(n2.app, { sub: 'trent' }));
  const response = await postJson(n1, '/api/disconnect', { user }, { 'X-API-Key': 'service-key' });
  assert.equal(response.status, 200, response.text);
  for (const target of targets) assert.equal((await target.client.waitClose()).code, 3503);
  await h.sleep(QUIET_MS);
  assert.ok(other.client.isOpen);
});
