'use strict';

// Soak: steady publishing through the HTTP API and a steady churn of subscribing clients on
// both protocols, for DNOTIFIER_SOAK_SECONDS (60 by default; set it to hours for a long run).
// After a warm-up third, the node's resident memory must settle: the last third may not grow
// past the middle third's peak by more than a small margin, which a leak of a few hundred
// bytes per connection or publication would exceed. Every publication to a channel with a
// well-behaved long-lived subscriber reaches it.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { useNode } = require('./lib/node');
const h = require('./lib/helpers');
const cf = require('./lib/centrifuge');

const SECONDS = Number(process.env.DNOTIFIER_SOAK_SECONDS ?? 60);
const node = useNode({}, 'soak');

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

test(`soak: ${SECONDS} s of publishing and connection churn, memory settles`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  assert.ok(Number.isFinite(SECONDS) && SECONDS >= 15, 'DNOTIFIER_SOAK_SECONDS is at least 15');
  const channels = Array.from({ length: 20 }, (_, i) => `soak-${i}`);
  const watcher = await h.open(node);
  await h.subOk(watcher, 'soak-0');

  const live = [];
  let published = 0;
  let toWatched = 0;
  let churned = 0;
  const samples = [];
  const deadline = Date.now() + SECONDS * 1000;
  let running = true;

  const publisher = (async () => {
    while (running) {
      const channel = channels[published % channels.length];
      const response = await h.api(node, 'POST', `/apps/${node.app.id}/events`, {
        body: { name: 'tick', channels: [channel], data: `${published}:${'d'.repeat(200)}` },
      });
      assert.equal(response.status, 200, response.text);
      if (channel === 'soak-0') ++toWatched;
      ++published;
      await h.sleep(10);
    }
  })();

  const churn = (async () => {
    while (running) {
      const pusher = churned % 2 === 0;
      if (pusher) {
        const client = await h.open(node);
        await h.subOk(client, channels[churned % channels.length]);
        live.push(() => client.close());
      } else {
        const token = await cf.connToken(node.app, { sub: `u${churned}`, channels: [channels[churned % channels.length]] });
        const { client } = await cf.rawConnected(node, token);
        live.push(() => client.close());
      }
      ++churned;
      if (live.length > 60) await live.shift()();
      await h.sleep(20);
    }
  })();

  while (Date.now() < deadline) {
    await h.sleep(1000);
    samples.push(rssKiB(node.pid));
  }
  running = false;
  await Promise.all([publisher, churn]);
  while (live.length > 0) await live.shift()();

  await watcher.waitUntil((c) => c.events('tick', 'soak-0').length === toWatched, {
    what: `all ${toWatched} publications on soak-0`,
    timeout: 30_000,
  });
  const third = Math.floor(samples.length / 3);
  const middlePeak = Math.max(...samples.slice(third, 2 * third));
  const lastPeak = Math.max(...samples.slice(2 * third));
  const report = `published ${published}, churned ${churned} connections; RSS middle peak ${middlePeak} KiB, last peak ${lastPeak} KiB`;
  process.stderr.write(`[soak] ${report}\n`);
  assert.ok(churned > SECONDS && published > SECONDS * 10, report);
  // 2 MiB or 5 %: room for allocator noise, far below what a per-connection leak would add.
  assert.ok(lastPeak - middlePeak <= Math.max(2048, middlePeak * 0.05), `memory still grows: ${report}`);
});
