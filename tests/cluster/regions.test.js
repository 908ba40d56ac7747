'use strict';

// Regions (issue 4, item 4): two regions of two nodes. Inside a region the nodes form a full
// mesh; the regions meet through one gateway link between their gateways. A publication
// crosses the border once per region with interest, whichever node of the region accepted it.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../compat/lib/helpers');
const { useCluster, metrics, waitUntil } = require('./lib/cluster');

const REGIONS = ['eu', 'eu', 'us', 'us'];
const nodes = useCluster(4, {}, (i) => ({ region: REGIONS[i] }));
const T = { timeout: 120_000 };
const QUIET_MS = 700;

const isEvent = (channel, name) => (m) => m.event === name && m.channel === channel;

// Waits until each region has one gateway and the links are the ones the topology keeps: the
// gateways have two links (their region peer, the other gateway), the others one.
async function topology() {
  let roles;
  await waitUntil(
    'one gateway per region and only the kept links',
    async () => {
      const seen = await Promise.all(nodes.map((n) => metrics(n)));
      roles = seen.map((m, i) => ({ node: nodes[i], gateway: m.dnotifier_region_gateway === 1, links: m.dnotifier_peer_links }));
      const perRegion = ['eu', 'us'].map((r) => roles.filter((x, i) => REGIONS[i] === r && x.gateway).length);
      const linksRight = roles.every((x) => x.links === (x.gateway ? 2 : 1));
      return (perRegion.every((c) => c === 1) && linksRight) || roles.map((x) => [x.gateway, x.links]);
    },
    30_000,
    100,
  );
  const inRegion = (r) => roles.filter((x, i) => REGIONS[i] === r);
  return {
    euGateway: inRegion('eu').find((x) => x.gateway).node,
    euOther: inRegion('eu').find((x) => !x.gateway).node,
    us: inRegion('us').map((x) => x.node),
  };
}

async function borderCrossings() {
  const seen = await Promise.all(nodes.map((n) => metrics(n)));
  return seen.reduce((sum, m) => sum + m.dnotifier_gateway_publications_sent_total, 0);
}

async function routedTo(node, channel, count) {
  await waitUntil(`${node.label} to see ${count} subscribers of ${channel}`, async () => {
    const r = await h.api(node, 'GET', `/apps/${node.app.id}/channels/${channel}`, { query: { info: 'subscription_count' } });
    return r.json?.subscription_count === count || r.json;
  });
}

test('a publication crosses the region border once and reaches every subscriber once', T, async () => {
  const { euGateway, euOther, us } = await topology();
  const channel = h.uniq('regions-');
  const subscribers = [];
  for (const node of [...us, euGateway]) {
    const client = await h.open(node);
    await h.subOk(client, channel);
    subscribers.push(client);
  }
  await routedTo(euOther, channel, 3);
  await routedTo(euGateway, channel, 3);

  // From the region's non-gateway node: the copy for "us" goes through the eu gateway.
  const before = await borderCrossings();
  await h.triggerOk(euOther, channel, 'hop', 'via-gateway');
  for (const client of subscribers) await client.waitFor((m) => isEvent(channel, 'hop')(m) && m.data === 'via-gateway');
  await h.sleep(QUIET_MS);
  assert.equal((await borderCrossings()) - before, 1, 'one crossing for one region with two subscribers');

  // From the gateway itself.
  const middle = await borderCrossings();
  await h.triggerOk(euGateway, channel, 'hop', 'from-gateway');
  for (const client of subscribers) await client.waitFor((m) => isEvent(channel, 'hop')(m) && m.data === 'from-gateway');
  await h.sleep(QUIET_MS);
  assert.equal((await borderCrossings()) - middle, 1);

  // From "us" toward "eu": again once.
  const last = await borderCrossings();
  await h.triggerOk(us[1], channel, 'hop', 'from-us');
  for (const client of subscribers) await client.waitFor((m) => isEvent(channel, 'hop')(m) && m.data === 'from-us');
  await h.sleep(QUIET_MS);
  assert.equal((await borderCrossings()) - last, 1);

  for (const client of subscribers) {
    assert.equal(client.messages.filter(isEvent(channel, 'hop')).length, 3, `${client.label}: each message once`);
  }
});

test('no crossing for a channel without subscribers in the other region', T, async () => {
  const { euGateway, euOther } = await topology();
  const channel = h.uniq('eu-only-');
  const client = await h.open(euGateway);
  await h.subOk(client, channel);
  await routedTo(euOther, channel, 1);
  const before = await borderCrossings();
  await h.triggerOk(euOther, channel, 'local', 'x');
  await client.waitFor(isEvent(channel, 'local'));
  await h.sleep(QUIET_MS);
  assert.equal((await borderCrossings()) - before, 0);
});

test('presence rosters and channel lists span regions', T, async () => {
  const { euOther, us } = await topology();
  const channel = h.uniq('presence-world-');
  const inUs = await h.open(us[0]);
  await h.subOk(inUs, channel, { user: { id: 'u-us', info: {} } });
  const inEu = await h.open(euOther);
  await waitUntil('the eu node to list the us member', async () => {
    const r = await h.api(euOther, 'GET', `/apps/${euOther.app.id}/channels/${channel}/users`);
    return r.json?.users?.length === 1 || r.json;
  });
  const ok = await h.subOk(inEu, channel, { user: { id: 'u-eu', info: {} } });
  assert.deepEqual([...ok.data.presence.ids].sort(), ['u-eu', 'u-us']);
  const added = await inUs.waitFor((m) => m.event === 'pusher_internal:member_added' && m.channel === channel);
  assert.equal(added.data.user_id, 'u-eu');
});
