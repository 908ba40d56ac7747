'use strict';

// A hand-driven client of a node's peer port, for hostile-peer tests. Speaks the framing of
// node/cluster/peerframing.h (4-byte big-endian length, then one CBOR map) and, when given the
// cluster secret, the handshake of node/cluster/peerlink.cpp (Hello, Challenge, Proof,
// Welcome) with the same HMAC-SHA256 proofs. Only ever connects to 127.0.0.1.

const crypto = require('node:crypto');
const net = require('node:net');
const cbor = require('./cbor');
const { track } = require('../../compat/lib/cleanup');

const HOST = '127.0.0.1';

// Message type codes ("t") from node/cluster/peermessages.cpp.
const T = Object.freeze({
  Hello: 1,
  Challenge: 2,
  Proof: 3,
  Welcome: 4,
  Refused: 5,
  Members: 10,
  Ping: 11,
  Ack: 12,
  PingRequest: 13,
  Interest: 20,
  Presence: 21,
  Publication: 30,
});

const State = Object.freeze({ Alive: 0, Suspect: 1, Dead: 2, Left: 3 });

const I64_MAX = (1n << 63n) - 1n;

function clusterIdOf(secret) {
  const digest = crypto.createHash('sha256').update(Buffer.concat([Buffer.from('dnotifier cluster\n'), Buffer.from(secret)]));
  return `c${digest.digest('hex').slice(0, 32)}`;
}

// The last field is the accepting node's TLS certificate digest; this client speaks plain TCP,
// where it is empty.
function proofInput(role, hello, acceptorNonce, acceptor, certificateDigest = Buffer.alloc(0)) {
  return [
    role,
    hello.cl,
    hello.id,
    acceptor,
    String(hello.je ?? 0),
    Buffer.from(hello.nc).toString('hex'),
    Buffer.from(acceptorNonce).toString('hex'),
    Buffer.from(certificateDigest).toString('hex'),
  ].join('\n');
}

const hmac = (secret, text) => crypto.createHmac('sha256', Buffer.from(secret)).update(text).digest();
const acceptorProof = (secret, hello, nonce, acceptor) => hmac(secret, proofInput('dnotifier peer acceptor', hello, nonce, acceptor));
const dialerProof = (secret, hello, nonce, acceptor) => hmac(secret, proofInput('dnotifier peer dialer', hello, nonce, acceptor));

// A length-prefixed frame around `payload` (a Buffer, or a value to CBOR-encode).
function frame(payload) {
  const body = Buffer.isBuffer(payload) ? payload : cbor.encode(payload);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

// A member record as peermessages.cpp encodes it. `startedMs` ("st") names when the node
// started; the region's oldest live member orders its history channels.
function member({ id, name = id, address, region = 'default', incarnation = 0, state = State.Alive, startedMs = Date.now() }) {
  if (address === undefined) throw new Error('member() needs an address');
  return { id, n: name, a: address, r: region, i: incarnation, s: state, st: startedMs };
}

function hello({ clusterId, id, nonce = crypto.randomBytes(32), version = 1, joinExpiresAt = 0 }) {
  return { t: T.Hello, v: version, cl: clusterId, id, nc: nonce, je: joinExpiresAt };
}

const randomId = () => crypto.randomBytes(8).toString('hex');

class PeerClient {
  constructor(socket) {
    this.socket = socket;
    this.messages = [];
    this.undecodable = [];
    this.buffer = Buffer.alloc(0);
    this.autoAck = true;
    this.waiters = new Set();
    this.isClosed = false;
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
        this._notify();
      });
    });
    socket.on('error', () => {});
    socket.on('data', (chunk) => this._onData(chunk));
  }

  static connect(port, { timeoutMs = 5_000 } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${HOST}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        const client = new PeerClient(socket);
        track(() => client.destroy());
        resolve(client);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  _onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) break;
      const body = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      let message;
      try {
        message = cbor.decode(body);
      } catch (error) {
        this.undecodable.push({ body, error: error.message });
        continue;
      }
      this.messages.push(message);
      if (this.autoAck && message?.t === T.Ping && !this.isClosed) this.send({ t: T.Ack, q: message.q });
    }
    this._notify();
  }

  _notify() {
    for (const waiter of [...this.waiters]) waiter();
  }

  send(value) {
    if (!this.socket.destroyed) this.socket.write(frame(value));
  }

  sendRaw(bytes) {
    if (!this.socket.destroyed) return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
    return Promise.resolve();
  }

  // Resolves with the first message (already received or later) that satisfies `predicate`;
  // rejects when the connection closes first or after `timeoutMs`.
  waitFor(predicate, { timeoutMs = 10_000, what = 'a peer message' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(predicate);
        if (found) return finish(resolve, found);
        if (this.isClosed) return finish(reject, new Error(`the node closed the connection before ${what}; got ${this.describe()}`));
        return undefined;
      };
      const timer = setTimeout(() => finish(reject, new Error(`no ${what} within ${timeoutMs} ms; got ${this.describe()}`)), timeoutMs);
      const finish = (fn, value) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        fn(value);
      };
      this.waiters.add(check);
      check();
    });
  }

  waitType(type, options = {}) {
    return this.waitFor((m) => m?.t === type, { what: `a message of type ${type}`, ...options });
  }

  // Resolves once the node has closed the connection; rejects when it is still open after
  // `timeoutMs` (a liveness bound, not a measurement: callers pick it generously).
  async waitClosed(timeoutMs = 10_000) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the node kept the connection open for ${timeoutMs} ms; got ${this.describe()}`)), timeoutMs);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // A barrier on an established link: sends a Ping and waits for its Ack. A node handles a
  // link's frames in order, so once the Ack is here every frame sent before the Ping has been
  // handled. Rejects when the node closes the link first.
  async sync({ timeoutMs = 10_000 } = {}) {
    PeerClient.syncs = (PeerClient.syncs ?? 0) + 1;
    // Far above the sequence numbers the node uses, so its Ack is told apart from any other.
    const q = 2 ** 50 + PeerClient.syncs;
    this.send({ t: T.Ping, q });
    await this.waitFor((m) => m?.t === T.Ack && m.q === q, { timeoutMs, what: `the Ack of sync Ping ${q}` });
  }

  describe() {
    const shown = this.messages.slice(-5).map((m) => JSON.stringify(m, (k, v) => (typeof v === 'bigint' ? String(v) : v?.type === 'Buffer' ? `<${v.data.length} bytes>` : v)));
    return `[${shown.join(', ')}]${this.isClosed ? ' (closed)' : ''}`;
  }

  destroy() {
    this.socket.destroy();
    return this.closed;
  }

  // The whole handshake as a dialer that knows the secret. `self` is this fake member's
  // record fields (see member()). Resolves with {challenge, welcome} once the node welcomed it.
  async join({ secret, id = randomId(), address, self = {}, nonce = crypto.randomBytes(32), joinExpiresAt = 0 }) {
    const h = hello({ clusterId: clusterIdOf(secret), id, nonce, joinExpiresAt });
    this.hello = h;
    this.id = id;
    this.send(h);
    const challenge = await this.waitType(T.Challenge);
    if (!acceptorProof(secret, h, challenge.nc, challenge.id).equals(challenge.pf)) {
      throw new Error('the node did not prove that it holds the cluster secret');
    }
    this.record = member({ id, address, ...self });
    this.send({ t: T.Proof, pf: dialerProof(secret, h, challenge.nc, challenge.id), me: this.record });
    const welcome = await this.waitType(T.Welcome);
    this.nodeId = challenge.id;
    return { challenge, welcome };
  }
}

module.exports = {
  PeerClient,
  T,
  State,
  I64_MAX,
  clusterIdOf,
  acceptorProof,
  dialerProof,
  frame,
  member,
  hello,
  randomId,
};
