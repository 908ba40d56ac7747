'use strict';

// A webhook receiver for the compat tests: an HTTP server on 127.0.0.1 (port 0 = the system
// picks one) that records every request it gets and answers with a programmable status.
//
// * Recorded per request: method, path, headers (lower-case keys, as node:http gives them),
//   rawHeaders (names as sent), the raw body bytes, the body as text and as JSON (when it
//   parses), the arrival time (Date.now() once the whole body is in) and the status answered.
// * Status: a queue of statuses consumed one per request (`failNext(3, 500)` or the
//   `statuses` option), then `responder(request)` if set, else `fallbackStatus` (200).
// * Down and up: `down()` stops listening and destroys every open connection, so connecting
//   is refused (ECONNREFUSED), not merely answered with an error; `up()` listens again on the
//   same port, so a node configured with the URL reaches it again. `downFor(ms)` does both.
// * Waiting: `waitFor(pred, {count})` resolves once `count` recorded requests match `pred`;
//   `waitEvents(pred, {count})` does the same over the single events of all bodies.
//
// Only 127.0.0.1 is used. A sink never contacts anything; close() it in an after() hook.

const crypto = require('node:crypto');
const http = require('node:http');
const net = require('node:net');

const HOST = '127.0.0.1';
const DEFAULT_WAIT_MS = 10_000;

// hex(HMAC_SHA256(secret, rawBody)): what X-Pusher-Signature must hold.
function webhookSignature(secret, rawBody) {
  return crypto.createHmac('sha256', secret).update(rawBody).digest('hex');
}

// The receiver-side check: recompute the signature over the exact bytes received and compare
// it exactly with the header (and the key with the app's key).
function isSignedBy(request, app) {
  return (
    request.headers['x-pusher-key'] === app.key &&
    request.headers['x-pusher-signature'] === webhookSignature(app.secret, request.body)
  );
}

class Sink {
  constructor({ label = 'sink', path = '/webhooks', statuses = [], fallbackStatus = 200, responder } = {}) {
    this.label = label;
    this.path = path;
    this.statuses = [...statuses];
    this.fallbackStatus = fallbackStatus;
    this.responder = responder;
    this.requests = [];
    this.port = undefined;
    this.server = undefined;
    this.sockets = new Set();
    this.listeners = new Set();
    this.isUp = false;
  }

  get url() {
    if (this.port === undefined) throw new Error(`${this.label}: start() the sink before asking for its URL`);
    return `http://${HOST}:${this.port}${this.path}`;
  }

  // Listens on `port` (default: the sink's port once known, else 0).
  async start(port = this.port ?? 0) {
    if (this.isUp) return this;
    const server = http.createServer((req, res) => this._onRequest(req, res));
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise((resolve, reject) => {
      const onError = (error) => reject(new Error(`${this.label}: cannot listen on ${HOST}:${port}: ${error.message}`));
      server.once('error', onError);
      server.listen({ host: HOST, port, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.port = server.address().port;
    this.isUp = true;
    return this;
  }

  // Stops listening and drops every open connection: new connections are refused.
  async down() {
    if (!this.isUp) return;
    this.isUp = false;
    const server = this.server;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  // Listens again on the same port.
  async up() {
    await this.start(this.port);
  }

  // down(), then up() after `ms`; resolves once the sink is back.
  async downFor(ms) {
    await this.down();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.up();
  }

  async close() {
    await this.down();
  }

  // The next `n` requests are answered with `status`.
  failNext(n, status = 500) {
    for (let i = 0; i < n; i += 1) this.statuses.push(status);
  }

  _statusFor(request) {
    if (this.statuses.length > 0) return this.statuses.shift();
    if (this.responder) return this.responder(request);
    return this.fallbackStatus;
  }

  _onRequest(req, res) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const request = {
        index: this.requests.length,
        sink: this.label,
        method: req.method,
        path: req.url,
        httpVersion: req.httpVersion,
        headers: { ...req.headers },
        rawHeaders: [...req.rawHeaders],
        body,
        text,
        json,
        arrivedAt: Date.now(),
        status: undefined,
      };
      let status;
      try {
        status = this._statusFor(request);
      } catch {
        status = 500;
      }
      request.status = status;
      this.requests.push(request);
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status >= 200 && status < 300 ? 'ok' : 'failed on purpose');
      this._notify();
    });
  }

  _notify() {
    for (const listener of [...this.listeners]) listener();
  }

  // Every event of every recorded request, in arrival order, each with `request` (the
  // recorded request) and `time_ms` (its envelope's) added.
  events(pred = () => true) {
    const out = [];
    for (const request of this.requests) {
      const list = request.json && Array.isArray(request.json.events) ? request.json.events : [];
      for (const event of list) {
        const item = { ...event };
        Object.defineProperty(item, 'request', { value: request, enumerable: false });
        Object.defineProperty(item, 'time_ms', { value: request.json.time_ms, enumerable: false });
        if (pred(item)) out.push(item);
      }
    }
    return out;
  }

  // Recorded requests whose events include one for `channel`.
  requestsFor(channel) {
    return this.requests.filter(
      (r) => r.json && Array.isArray(r.json.events) && r.json.events.some((e) => e.channel === channel),
    );
  }

  // Waits until `pred(sink)` returns a truthy value, re-checked on every request.
  waitUntil(pred, { timeout = DEFAULT_WAIT_MS, what = 'a condition' } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      const check = () => {
        let value;
        try {
          value = pred(this);
        } catch (error) {
          done();
          reject(error);
          return;
        }
        if (value) {
          done();
          resolve(value);
        }
      };
      timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: no ${what} within ${timeout} ms; ${this.describe()}`));
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }

  // Resolves with the matching requests once at least `count` recorded requests match `pred`.
  waitFor(pred, { count = 1, timeout = DEFAULT_WAIT_MS, what = `${count} matching request(s)` } = {}) {
    return this.waitUntil(
      () => {
        const matching = this.requests.filter(pred);
        return matching.length >= count ? matching : undefined;
      },
      { timeout, what },
    );
  }

  // Resolves with the matching events once at least `count` events match `pred`.
  waitEvents(pred, { count = 1, timeout = DEFAULT_WAIT_MS, what = `${count} matching event(s)` } = {}) {
    return this.waitUntil(
      () => {
        const matching = this.events(pred);
        return matching.length >= count ? matching : undefined;
      },
      { timeout, what },
    );
  }

  describe(max = 15) {
    const shown = this.requests
      .slice(-max)
      .map((r) => `#${r.index} ${r.method} ${r.path} -> ${r.status} at ${r.arrivedAt}: ${r.text.slice(0, 300)}`);
    return `${this.requests.length} request(s)${this.requests.length > max ? ` (last ${max})` : ''}:\n  ${
      shown.join('\n  ') || '(none)'
    }`;
  }
}

async function startSink(options = {}) {
  return new Sink(options).start();
}

// Resolves with the error code of a TCP connection attempt to 127.0.0.1:port ('connected'
// when it succeeds): lets a test check that a downed sink really refuses connections.
function probeConnect(port, timeout = 2_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, timeout);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve(error.code);
    });
  });
}

module.exports = { Sink, startSink, webhookSignature, isSignedBy, probeConnect };
