'use strict';

// A small client of the admin protocol (docs/admin-protocol.md) for tests, over the `ws`
// package: wss to 127.0.0.1 only, the node's self-signed certificate accepted after its
// SHA-256 fingerprint is read (the test compares it with the one the node printed), replies
// matched by id, stream events kept per stream. Disposed with the other clients of a test.

const fs = require('node:fs');
const path = require('node:path');
const WebSocket = require('ws');
const { track } = require('./cleanup');

const WAIT_MS = 10_000;

// The keys a node wrote to its data directory on first start, by name.
function adminKeys(node) {
  const file = JSON.parse(fs.readFileSync(path.join(node.dataDir, 'admin-keys.json'), 'utf8'));
  return Object.fromEntries(file.keys.map((k) => [k.name, k.key]));
}

class AdminClient {
  constructor(port, label) {
    this.label = label;
    this.nextId = 1;
    this.pending = new Map();
    this.replies = [];
    this.events = new Map();
    this.waiters = new Set();
    this.closeInfo = undefined;
    this.ws = new WebSocket(`wss://127.0.0.1:${port}/admin`, { rejectUnauthorized: false, handshakeTimeout: 5_000 });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('upgrade', (response) => {
        this.fingerprint = response.socket.getPeerCertificate().fingerprint256;
      });
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const { reject } of this.pending.values()) reject(new Error(`${label}: closed with ${code}`));
        this.pending.clear();
        this._notify();
        resolve(this.closeInfo);
      });
    });
    this.ws.on('error', () => {});
    this.ws.on('message', (data) => this._onMessage(JSON.parse(data.toString())));
  }

  _onMessage(message) {
    if (message.stream !== undefined) {
      if (!this.events.has(message.stream)) this.events.set(message.stream, []);
      this.events.get(message.stream).push(message);
    } else {
      this.replies.push(message);
      const waiting = this.pending.get(message.id);
      if (waiting) {
        this.pending.delete(message.id);
        waiting.resolve(message);
      }
    }
    this._notify();
  }

  _notify() {
    for (const check of [...this.waiters]) check();
  }

  // Sends a request and resolves with the whole reply ({id, result} or {id, error}).
  call(method, params) {
    const id = this.nextId++;
    const request = params === undefined ? { id, method } : { id, method, params };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no reply to ${method} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.ws.send(JSON.stringify(request));
    });
  }

  // call() that expects a result and returns it.
  async ok(method, params) {
    const reply = await this.call(method, params);
    if (!reply.result) throw new Error(`${this.label}: ${method} failed: ${JSON.stringify(reply)}`);
    return reply.result;
  }

  // Subscribes; resolves with {stream, snapshot}.
  async subscribe(params) {
    const { stream } = await this.ok('subscribe', params);
    const snapshot = await this.waitEvent(stream, (e) => e.event === 'snapshot', 'the snapshot');
    return { stream, snapshot: snapshot.data };
  }

  // Resolves with the first event of the stream, from the start, that satisfies `pred`.
  waitEvent(stream, pred, what = 'an event', timeout = WAIT_MS) {
    return this.waitUntil(() => (this.events.get(stream) ?? []).find(pred), `${what} on stream ${stream}`, timeout);
  }

  // Resolves with pred()'s first truthy value, checked after every message.
  waitUntil(pred, what, timeout = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = pred();
        if (value) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.label}: no ${what} within ${timeout} ms`));
      }, timeout);
      this.waiters.add(check);
      check();
    });
  }

  waitClose(timeout = WAIT_MS) {
    return Promise.race([
      this.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${this.label}: not closed`)), timeout)),
    ]);
  }

  close() {
    if (this.closeInfo) return this.closeInfo;
    this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 3_000);
    return this.closed.finally(() => clearTimeout(timer));
  }
}

// A keyed collection kept up to date from a stream's snapshot and deltas, as a console would.
class Collection {
  constructor(client, stream, name, snapshot) {
    this.items = new Map((snapshot[name] ?? []).map((item) => [item.key, item]));
    this.fields = { ...snapshot };
    delete this.fields[name];
    this.applied = 1;
    this.client = client;
    this.stream = stream;
    this.name = name;
  }

  // Applies every delta received so far that was not applied yet.
  update() {
    const events = this.client.events.get(this.stream) ?? [];
    for (; this.applied < events.length; ++this.applied) {
      const { data } = events[this.applied];
      const delta = data[this.name];
      if (delta) {
        for (const key of delta.remove) this.items.delete(key);
        for (const item of delta.upsert) this.items.set(item.key, item);
      }
      for (const [field, value] of Object.entries(data)) if (field !== this.name) this.fields[field] = value;
    }
    return this;
  }

  get(key) {
    return this.update().items.get(key);
  }

  // Resolves once pred(this) is truthy after some delta.
  until(pred, what) {
    return this.client.waitUntil(() => pred(this.update()), what);
  }
}

// Connects and waits for the TLS handshake and upgrade.
async function adminConnect(node, label = 'admin') {
  const client = new AdminClient(node.adminPort, label);
  track(() => client.close());
  await client.opened;
  return client;
}

// adminConnect() + hello with the named key from the node's data directory (or `key`).
async function adminSession(node, { keyName = 'admin', key } = {}) {
  const client = await adminConnect(node, `admin(${keyName})`);
  client.hello = await client.ok('hello', { protocol: 1, key: key ?? adminKeys(node)[keyName], client: 'tests' });
  return client;
}

module.exports = { adminKeys, adminConnect, adminSession, Collection };
