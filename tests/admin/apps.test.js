'use strict';

// App credentials managed through the admin channel: list, create, rotate, disable and enable,
// each seen through the Pusher protocol and HTTP API; kept across a restart in apps.json.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { useNode, startNode } = require('../compat/lib/node');
const h = require('../compat/lib/helpers');
const { adminSession } = require('../compat/lib/admin');

const node = useNode({}, 'apps');
const T = { timeout: 60_000 };

// The outcome of opening a Pusher connection with `key`: the established message, or the
// error it was refused with.
async function tryConnect(target, app) {
  const client = h.connect(target, { app });
  const first = await client.waitFor((m) => m.event === 'pusher:connection_established' || m.event === 'pusher:error', {
    what: 'the answer to connecting',
  });
  return { client, first };
}

test('list_apps names every app with its credentials', T, async () => {
  const admin = await adminSession(node);
  const { apps } = await admin.ok('list_apps');
  assert.deepEqual(apps, [{ id: node.app.id, key: node.app.key, secret: node.app.secret, enabled: true, managed: false }]);
  const readOnly = await adminSession(node, { keyName: 'read-only' });
  assert.equal((await readOnly.call('create_app')).error.code, 'forbidden');
});

test('create_app: a new app that clients and the HTTP API can use at once', T, async () => {
  const admin = await adminSession(node);
  const { app } = await admin.ok('create_app');
  assert.match(app.id, /^[1-9][0-9]{5}$/);
  assert.match(app.key, /^[0-9a-f]{20}$/);
  assert.match(app.secret, /^[0-9a-f]{40}$/);
  assert.equal(app.enabled, true);
  const created = { id: app.id, key: app.key, secret: app.secret };
  const channel = h.uniq('new-');
  const client = await h.open(node, { app: created });
  await h.subOk(client, channel);
  await h.triggerOk(node, channel, 'hello', 'in the new app', { app: created });
  assert.equal((await client.waitEvent('hello', channel)).data, 'in the new app');
  const { apps } = await admin.ok('list_apps');
  assert.equal(apps.find((a) => a.id === app.id).managed, true);
});

test('rotate_app: the old key is refused, the new one works, open connections stay', T, async () => {
  const admin = await adminSession(node);
  const { app } = await admin.ok('create_app');
  const before = { id: app.id, key: app.key, secret: app.secret };
  const open = await h.open(node, { app: before });
  const rotated = (await admin.ok('rotate_app', { app: app.id })).app;
  assert.equal(rotated.id, app.id);
  assert.notEqual(rotated.key, app.key);
  assert.notEqual(rotated.secret, app.secret);
  const old = await tryConnect(node, before);
  assert.equal(old.first.event, 'pusher:error');
  assert.equal(old.first.data.code, 4001);
  const fresh = await tryConnect(node, { id: rotated.id, key: rotated.key, secret: rotated.secret });
  assert.equal(fresh.first.event, 'pusher:connection_established');
  assert.equal((await h.trigger(node, 'x', 'e', 'd', { app: before })).status, 401);
  assert.equal(open.closeInfo, undefined, 'a connection opened before the rotation stays open');
  assert.equal((await admin.call('rotate_app', { app: '999999999' })).error.code, 'not_found');
});

test('set_app_enabled: disabling closes the app, enabling opens it again', T, async () => {
  const admin = await adminSession(node);
  const { app } = await admin.ok('create_app');
  const created = { id: app.id, key: app.key, secret: app.secret };
  const client = await h.open(node, { app: created });
  const other = await h.open(node);
  const disabled = (await admin.ok('set_app_enabled', { app: app.id, enabled: false })).app;
  assert.equal(disabled.enabled, false);
  assert.equal((await client.waitClose()).code, 4003);
  const refused = await tryConnect(node, created);
  assert.equal(refused.first.data.code, 4003);
  assert.equal(other.closeInfo, undefined, "another app's connection stays open");
  await admin.ok('set_app_enabled', { app: app.id, enabled: true });
  assert.equal((await tryConnect(node, created)).first.event, 'pusher:connection_established');
  assert.equal((await admin.call('set_app_enabled', { app: app.id, enabled: 'no' })).error.code, 'bad_request');
});

test('changes are kept in apps.json and win over the config after a restart', T, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnotifier-apps-'));
  try {
    const first = await startNode({ dataDir }, 'first');
    const admin = await adminSession(first);
    const rotated = (await admin.ok('rotate_app', { app: first.app.id })).app;
    const created = (await admin.ok('create_app')).app;
    await admin.close();
    await first.stop();
    const stored = JSON.parse(fs.readFileSync(path.join(dataDir, 'apps.json'), 'utf8'));
    assert.deepEqual(stored.apps.map((a) => a.id).sort(), [created.id, first.app.id].sort());
    assert.equal((fs.statSync(path.join(dataDir, 'apps.json')).mode & 0o777), 0o600);

    const again = await startNode({ dataDir }, 'again');
    assert.ok(again.stdout.includes(`ws://127.0.0.1:${again.port}/app/${rotated.key}`), 'the banner shows the rotated key');
    const viaRotated = await tryConnect(again, { id: rotated.id, key: rotated.key, secret: rotated.secret });
    assert.equal(viaRotated.first.event, 'pusher:connection_established');
    const viaConfigured = await tryConnect(again, again.app);
    assert.equal(viaConfigured.first.data.code, 4001, 'the configured key no longer opens the app');
    const viaCreated = await tryConnect(again, { id: created.id, key: created.key, secret: created.secret });
    assert.equal(viaCreated.first.event, 'pusher:connection_established');
    await again.stop();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
