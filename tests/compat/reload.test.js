'use strict';

// SIGHUP: the node reads its configuration again, serves the changed apps and admin keys at
// once, names the settings that need a restart, and keeps running on a configuration that
// does not load.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');
const { adminConnect } = require('./lib/admin');

const node = useNode({}, 'reload');
const T = { timeout: 60_000 };
const EXTRA = { id: '202', key: 'key2', secret: 'secret2' };
const ADMIN = { name: 'ops', role: 'admin', key: 'reloaded-admin-key-0123' };

function rewriteConfig(change) {
  const config = JSON.parse(fs.readFileSync(node.configFile, 'utf8'));
  fs.writeFileSync(node.configFile, JSON.stringify(change(config), null, 2));
}

async function untilLogged(text, from) {
  const deadline = Date.now() + 10_000;
  while (!node.stderr.slice(from).includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" not logged; stderr: ${node.stderr.slice(from)}`);
    await h.sleep(50);
  }
}

test('a new app and admin key serve at once; a changed retry time is named as needing a restart', T, async () => {
  const refused = h.connect(node, { app: EXTRA });
  assert.equal((await refused.waitEvent('pusher:error')).data.code, 4001);

  rewriteConfig((config) => ({ ...config, apps: [EXTRA], admin_keys: [ADMIN], webhook_retry_seconds: 7 }));
  const mark = node.stderr.length;
  node.signal('SIGHUP');
  await untilLogged('reloaded the apps and the admin keys', mark);
  assert.ok(node.stderr.slice(mark).includes('take effect only after a restart: webhook_retry_seconds'), node.stderr.slice(mark));

  const client = await h.open(node, { app: EXTRA });
  await h.subOk(client, 'after-reload');
  await h.triggerOk(node, 'after-reload', 'hi', 'reloaded', { app: EXTRA });
  assert.equal((await client.waitEvent('hi', 'after-reload')).data, 'reloaded');

  const admin = await adminConnect(node);
  const hello = await admin.ok('hello', { protocol: 1, key: ADMIN.key });
  assert.equal(hello.key_name, 'ops');
});

test('a configuration that does not load leaves the running one in place', T, async () => {
  fs.writeFileSync(node.configFile, '{"port": "not a number"');
  const mark = node.stderr.length;
  node.signal('SIGHUP');
  await untilLogged('reload failed, the running settings stay', mark);
  assert.ok(node.alive);
  assert.equal((await h.api(node, 'GET', '/livez')).status, 200);
  const client = await h.open(node, { app: EXTRA });
  assert.ok(client.socketId, 'the app from the last good configuration is still served');
});

test('log_level: a reload to warning silences info lines, and back', T, async () => {
  const refusedLine = 'refusing connection';
  const refuse = async () => {
    const client = h.connect(node, { app: { ...node.app, key: 'no-such-key' } });
    await client.waitClose();
  };
  const reloadWith = async (settings, marker) => {
    // From the configuration the node started with: the test before left a broken file.
    fs.writeFileSync(node.configFile, JSON.stringify({ ...node.config, apps: [EXTRA], ...settings }));
    const mark = node.stderr.length;
    node.signal('SIGHUP');
    await untilLogged(marker, mark);
  };
  // The restart warning is a warning: it shows at every level and tells the reload is done.
  await reloadWith({ log_level: 'warning', webhook_retry_seconds: 8 }, 'take effect only after a restart');
  let mark = node.stderr.length;
  await refuse();
  await h.sleep(300);
  assert.ok(!node.stderr.slice(mark).includes(refusedLine), node.stderr.slice(mark));

  await reloadWith({ log_level: 'info', webhook_retry_seconds: 9 }, 'reloaded the apps');
  mark = node.stderr.length;
  await refuse();
  await untilLogged(refusedLine, mark);
});
