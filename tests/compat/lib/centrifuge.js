'use strict';

// Helpers for the Centrifuge protocol tests (shared/notes/centrifuge-protocol.md):
//
// * tokens: HS256 JWTs minted with `jose` and the app secret (connection and subscription
//   tokens), plus hand-made `alg: none` and forged tokens;
// * cfClient(): the unmodified `centrifuge` npm client pointed at /connection/websocket, with
//   every event it emits recorded (EventLog) so a test can wait for one that already happened;
// * rawCf(): a raw `ws` client speaking protocol v2 JSON by hand, for wire-level checks: it
//   splits frames on '\n', keeps replies by id, pushes and pings, and can answer pings;
// * Relay: a TCP relay on 127.0.0.1 whose connections a test can cut (and whose target can be
//   moved to another node), to drop a client's connection without the client's help.
//
// Everything opened here is registered with ./cleanup, so the afterEach hook of useNode()
// closes it even when a test fails half-way. Only 127.0.0.1 is used.

const net = require('node:net');
const WebSocket = require('ws');
const { SignJWT, UnsecuredJWT } = require('jose');
const { Centrifuge } = require('centrifuge');
const { track } = require('./cleanup');
const { HOST } = require('./node');

const DEFAULT_WAIT_MS = 5_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------
// Tokens

// An HS256 (or `alg`) JWT over `claims`, signed with `secret`. `exp` is absolute seconds.
async function signToken(claims, { secret, alg = 'HS256', exp } = {}) {
  if (!secret) throw new Error('signToken needs the secret');
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt();
  if (exp !== undefined) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

// Connection token: sub (user), optional info, channels, exp (absolute) or expIn (seconds from
// now), any extra claims.
function connToken(app, { sub = '', info, channels, exp, expIn, extra = {}, secret = app.secret } = {}) {
  const claims = { sub, ...extra };
  if (info !== undefined) claims.info = info;
  if (channels !== undefined) claims.channels = channels;
  const expiry = exp ?? (expIn === undefined ? undefined : nowSeconds() + expIn);
  return signToken(claims, { secret, exp: expiry });
}

// Subscription token: sub (the connection's user) and channel, optional info and expiry.
function subToken(app, { sub = '', channel, info, exp, expIn, extra = {}, secret = app.secret } = {}) {
  const claims = { sub, channel, ...extra };
  if (info !== undefined) claims.info = info;
  const expiry = exp ?? (expIn === undefined ? undefined : nowSeconds() + expIn);
  return signToken(claims, { secret, exp: expiry });
}

// An unsigned token: header {"alg":"none"}, empty signature part.
function unsignedToken(claims) {
  return new UnsecuredJWT({ ...claims }).encode();
}

// ---------------------------------------------------------------------------------------------
// Event log for EventEmitter-style objects (Centrifuge clients and subscriptions)

class EventLog {
  constructor(emitter, events, label) {
    this.label = label;
    this.entries = []; // {event, ctx, at}
    this.taken = new Set();
    this.listeners = new Set();
    for (const event of events) {
      // Attaching an 'error' listener also keeps EventEmitter from throwing on 'error'.
      emitter.on(event, (ctx) => {
        this.entries.push({ event, ctx, at: Date.now() });
        for (const listener of [...this.listeners]) listener();
      });
    }
  }

  all(event) {
    return this.entries.filter((e) => e.event === event).map((e) => e.ctx);
  }

  describe(max = 15) {
    const shown = this.entries.slice(-max).map((e) => {
      let text;
      try {
        text = JSON.stringify(e.ctx);
      } catch {
        text = String(e.ctx);
      }
      return `${e.event} ${text === undefined ? '' : text.slice(0, 300)}`;
    });
    return `${this.entries.length} event(s):\n  ${shown.join('\n  ') || '(none)'}`;
  }

  // Resolves with the ctx of the first not-yet-taken `event` whose ctx matches `pred`.
  wait(event, pred = () => true, { timeout = DEFAULT_WAIT_MS, what } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const check = () => {
        for (let i = 0; i < this.entries.length; i += 1) {
          const entry = this.entries[i];
          if (this.taken.has(i) || entry.event !== event) continue;
          let ok = false;
          try {
            ok = pred(entry.ctx);
          } catch {
            ok = false;
          }
          if (ok) {
            this.taken.add(i);
            done();
            resolve(entry.ctx);
            return;
          }
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: no ${what ?? `"${event}"`} within ${timeout} ms; ${this.describe()}`));
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }

  // Resolves when pred(this) is truthy (re-checked on every event).
  until(pred, { timeout = DEFAULT_WAIT_MS, what = 'a condition' } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const check = () => {
        const value = pred(this);
        if (value) {
          done();
          resolve(value);
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: no ${what} within ${timeout} ms; ${this.describe()}`));
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }
}

const CLIENT_EVENTS = [
  'state',
  'connecting',
  'connected',
  'disconnected',
  'error',
  'message',
  'subscribing',
  'subscribed',
  'unsubscribed',
  'publication',
  'join',
  'leave',
];
const SUB_EVENTS = ['state', 'subscribing', 'subscribed', 'unsubscribed', 'publication', 'join', 'leave', 'error'];

// ---------------------------------------------------------------------------------------------
// The centrifuge npm client

function cfUrl(node, { appKey, port = node.port, query } = {}) {
  const params = [];
  if (appKey !== undefined) params.push(`app_key=${encodeURIComponent(appKey)}`);
  if (query) params.push(query);
  return `ws://${HOST}:${port}/connection/websocket${params.length ? `?${params.join('&')}` : ''}`;
}

// A centrifuge-js client (not yet connected). `client.log` records every client event;
// `sub(channel, options)` makes a subscription whose events are recorded in `sub.log`.
function cfClient(node, { url, appKey, port, label = 'centrifuge', ...options } = {}) {
  const client = new Centrifuge(url ?? cfUrl(node, { appKey, port }), { websocket: WebSocket, ...options });
  client.log = new EventLog(client, CLIENT_EVENTS, label);
  client.sub = (channel, subOptions = {}) => {
    const sub = client.newSubscription(channel, subOptions);
    sub.log = new EventLog(sub, SUB_EVENTS, `${label} sub ${channel}`);
    return sub;
  };
  track(async () => {
    if (client.state !== 'disconnected') {
      const gone = client.log.wait('disconnected', () => true, { timeout: 3_000 }).catch(() => {});
      client.disconnect();
      await gone;
    }
    await sleep(30);
  });
  return client;
}

// cfClient() + connect() + wait for "connected"; resolves with {client, ctx}.
async function cfConnected(node, options = {}) {
  const client = cfClient(node, options);
  client.connect();
  const ctx = await client.log.wait('connected', () => true, { timeout: options.timeout ?? DEFAULT_WAIT_MS });
  return { client, ctx };
}

// Subscribes and waits for "subscribed" (taken from the log); rejects on "unsubscribed" (left
// in the log for the test to inspect).
async function cfSubscribed(client, channel, options = {}) {
  const sub = client.sub(channel, options);
  sub.subscribe();
  const outcome = await sub.log.until(
    (log) => {
      const entry = log.entries.find((e) => e.event === 'subscribed' || e.event === 'unsubscribed');
      return entry && { ok: entry.event === 'subscribed' };
    },
    { what: `the outcome of subscribing to ${channel}` },
  );
  if (!outcome.ok) throw new Error(`subscribing to ${channel} failed; ${sub.log.describe()}`);
  const ctx = await sub.log.wait('subscribed');
  return { sub, ctx };
}

// ---------------------------------------------------------------------------------------------
// Raw protocol client

class RawCf {
  constructor(ws, label, { autoPong = false } = {}) {
    this.ws = ws;
    this.label = label;
    this.autoPong = autoPong;
    this.lines = []; // every JSON line received, in order: {json, text, frame}
    this.frames = []; // raw text of every frame
    this.pings = 0;
    this.nextId = 1;
    this.closeInfo = undefined;
    this.listeners = new Set();
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        this._notify();
        resolve(this.closeInfo);
      });
    });
    ws.on('error', (error) => {
      this.lastError = error;
    });
    ws.on('message', (data, isBinary) => {
      const text = data.toString('utf8');
      const frameIndex = this.frames.length;
      this.frames.push(isBinary ? '<binary>' : text);
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        let json;
        try {
          json = JSON.parse(line);
        } catch {
          json = undefined;
        }
        this.lines.push({ json, text: line, frame: frameIndex });
        if (json && typeof json === 'object' && Object.keys(json).length === 0) {
          this.pings += 1;
          if (this.autoPong && ws.readyState === WebSocket.OPEN) ws.send('{}');
        }
      }
      this._notify();
    });
  }

  _notify() {
    for (const listener of [...this.listeners]) listener();
  }

  describe(max = 15) {
    const shown = this.lines.slice(-max).map((l) => l.text.slice(0, 300));
    const closed = this.closeInfo ? ` closed ${this.closeInfo.code} "${this.closeInfo.reason}"` : '';
    return `${this.lines.length} line(s)${closed}:\n  ${shown.join('\n  ') || '(none)'}`;
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  // Sends one frame: a string as is, an object as JSON, an array as JSON lines joined by '\n'.
  send(payload) {
    let text;
    if (typeof payload === 'string') text = payload;
    else if (Array.isArray(payload)) text = payload.map((p) => JSON.stringify(p)).join('\n');
    else text = JSON.stringify(payload);
    this.ws.send(text);
  }

  // A command with the next id; returns the id.
  command(method, body = {}) {
    const id = this.nextId;
    this.nextId += 1;
    this.send({ id, [method]: body });
    return id;
  }

  until(pred, { timeout = DEFAULT_WAIT_MS, what = 'a condition', rejectOnClose = true } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const check = () => {
        const value = pred(this);
        if (value) {
          done();
          resolve(value);
        } else if (rejectOnClose && this.closeInfo) {
          done();
          reject(new Error(`${this.label}: connection closed while waiting for ${what}; ${this.describe()}`));
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: no ${what} within ${timeout} ms; ${this.describe()}`));
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }

  replyOf(id) {
    const line = this.lines.find((l) => l.json && l.json.id === id);
    return line && line.json;
  }

  waitReply(id, options = {}) {
    return this.until((c) => c.replyOf(id), { what: `the reply to command ${id}`, ...options });
  }

  // Sends a command and waits for its reply.
  async call(method, body = {}, options = {}) {
    const id = this.command(method, body);
    return this.waitReply(id, options);
  }

  pushes(pred = () => true) {
    return this.lines.filter((l) => l.json && l.json.push && pred(l.json.push)).map((l) => l.json.push);
  }

  waitPush(pred, options = {}) {
    return this.until((c) => c.pushes(pred)[0], { what: 'a matching push', ...options });
  }

  waitClose(timeout = DEFAULT_WAIT_MS) {
    return this.until((c) => c.closeInfo, { timeout, what: 'the close', rejectOnClose: false });
  }

  async close() {
    if (this.closeInfo) return this.closeInfo;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 2_000);
    const info = await this.closed;
    clearTimeout(timer);
    return info;
  }
}

// Opens a raw WebSocket on /connection/websocket and waits for the upgrade.
async function rawCf(node, { appKey, url, label = 'raw centrifuge', autoPong = false, wsOptions = {} } = {}) {
  const ws = new WebSocket(url ?? cfUrl(node, { appKey }), { handshakeTimeout: 5_000, ...wsOptions });
  const client = new RawCf(ws, label, { autoPong });
  track(() => client.close());
  await client.opened;
  return client;
}

// rawCf() + a connect command with `token`; resolves with {client, reply}.
async function rawConnected(node, token, options = {}) {
  const client = await rawCf(node, options);
  const reply = await client.call('connect', { token, name: 'raw' });
  if (!reply.connect) throw new Error(`raw connect failed: ${JSON.stringify(reply)}`);
  return { client, reply };
}

// ---------------------------------------------------------------------------------------------
// TCP relay

class Relay {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.down = false;
    this.pairs = new Set();
    this.accepted = 0;
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

  _accept(downstream) {
    this.accepted += 1;
    if (this.down) {
      downstream.destroy();
      return;
    }
    const upstream = net.connect({ host: HOST, port: this.targetPort });
    const pair = { downstream, upstream };
    this.pairs.add(pair);
    const end = () => {
      downstream.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    downstream.on('error', end);
    upstream.on('error', end);
    downstream.on('close', end);
    upstream.on('close', end);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  }

  // Drops every relayed connection (no close frames) and refuses new ones until restore().
  cut() {
    this.down = true;
    for (const pair of [...this.pairs]) {
      pair.downstream.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  restore(targetPort = this.targetPort) {
    this.targetPort = targetPort;
    this.down = false;
  }

  async close() {
    this.cut();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function startRelay(targetPort) {
  return new Relay(targetPort).start();
}

module.exports = {
  Centrifuge,
  EventLog,
  Relay,
  RawCf,
  cfClient,
  cfConnected,
  cfSubscribed,
  cfUrl,
  connToken,
  nowSeconds,
  rawCf,
  rawConnected,
  signToken,
  sleep,
  startRelay,
  subToken,
  unsignedToken,
};
