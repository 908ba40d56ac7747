'use strict';

// A TCP load balancer on 127.0.0.1 for tests: each new connection goes to the next node in
// turn among those marked up, as a load balancer in front of a cluster does. Marking a node
// down before stopping it keeps new connections away from it; its open connections are left
// to the node, which closes them itself.

const net = require('node:net');
const { track } = require('../../compat/lib/cleanup');

const HOST = '127.0.0.1';

class Balancer {
  constructor() {
    this.targets = []; // {label, port, up}
    this.next = 0;
    this.sockets = new Set();
    this.server = net.createServer((downstream) => this._accept(downstream));
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, HOST, resolve);
    });
    this.port = this.server.address().port;
    track(() => this.close());
    return this;
  }

  add(node) {
    this.targets.push({ label: node.label, port: node.port, up: true });
  }

  markDown(node) {
    for (const target of this.targets) if (target.port === node.port) target.up = false;
  }

  _accept(downstream) {
    const up = this.targets.filter((t) => t.up);
    if (up.length === 0) {
      downstream.destroy();
      return;
    }
    const target = up[this.next++ % up.length];
    const upstream = net.connect({ host: HOST, port: target.port });
    for (const socket of [downstream, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    }
    const end = () => {
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', end);
    upstream.on('error', end);
    downstream.on('close', end);
    upstream.on('close', end);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function startBalancer(nodes = []) {
  const balancer = await new Balancer().start();
  for (const node of nodes) balancer.add(node);
  return balancer;
}

module.exports = { Balancer, startBalancer };
