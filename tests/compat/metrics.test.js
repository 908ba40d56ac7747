'use strict';

// /metrics moves by the right amounts while clients connect and publish: connections,
// messages and bytes in and out, and the build-info gauge; no label names a channel or user.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');

const node = useNode({}, 'metrics');

async function scrape() {
  const response = await h.api(node, 'GET', '/metrics');
  assert.equal(response.status, 200);
  const values = {};
  for (const line of response.text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, value] = line.split(' ');
    values[name] = Number(value);
  }
  return { values, text: response.text };
}

test('client counters move by exactly what two subscribers and five publications cause', { timeout: 60_000 }, async () => {
  const channel = h.uniq('counted-');
  const before = (await scrape()).values;
  const a = await h.open(node);
  const b = await h.open(node);
  await h.subOk(a, channel);
  await h.subOk(b, channel);
  const payload = 'p'.repeat(100);
  for (let i = 0; i < 5; ++i) await h.triggerOk(node, channel, 'tick', payload);
  await a.waitUntil((c) => c.events('tick', channel).length === 5, { what: 'five ticks on a' });
  await b.waitUntil((c) => c.events('tick', channel).length === 5, { what: 'five ticks on b' });
  const { values: after, text } = await scrape();

  assert.equal(after.dnotifier_client_connections - before.dnotifier_client_connections, 2);
  // In: two subscribe frames and five HTTP API requests (scrapes are not counted).
  assert.equal(after.dnotifier_client_messages_received_total - before.dnotifier_client_messages_received_total, 7);
  // Out: per client connection_established, subscription_succeeded and five ticks.
  assert.equal(after.dnotifier_client_messages_sent_total - before.dnotifier_client_messages_sent_total, 2 * 7);
  const tickFrame = Buffer.byteLength(a.events('tick', channel)[0].raw);
  const sentBytes = after.dnotifier_client_sent_bytes_total - before.dnotifier_client_sent_bytes_total;
  assert.ok(sentBytes >= 2 * 5 * tickFrame, `${sentBytes} bytes sent for ten ticks of ${tickFrame} bytes`);
  assert.match(text, /^dnotifier_build_info\{version="0\.1\.0"\} 1$/m);
  assert.ok(!text.includes(channel), 'no metric names a channel');

  await a.close();
  await b.close();
  // The gauge follows once the node has seen both connections finish.
  const deadline = Date.now() + 10_000;
  let connections;
  while ((connections = (await scrape()).values.dnotifier_client_connections) !== before.dnotifier_client_connections) {
    if (Date.now() > deadline) assert.fail(`dnotifier_client_connections stayed at ${connections}`);
    await h.sleep(50);
  }
});
