'use strict';

// Helpers shared by the compat tests (see shared/cases/field-reports.md, "Shared test
// conventions"): raw ws clients, channel/user auth signatures computed by hand, signed HTTP API
// requests computed by hand, the `pusher` server SDK and pusher-js clients pointed at the node,
// and a raw TCP socket with a WebSocket frame builder/parser for byte-level tests.
//
// Every client opened here is registered with ./cleanup so the afterEach hook installed by
// useNode() closes it even when a test fails half-way.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const net = require('node:net');
const WebSocket = require('ws');
const PusherServer = require('pusher');
const PusherJS = require('pusher-js');
const { track } = require('./cleanup');
const { DEFAULT_APP, HOST } = require('./node');

const CLIENT_QUERY = 'protocol=7&client=js&version=8.6.0&flash=false';
const DEFAULT_WAIT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Small utilities

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const hmacHex = (secret, text) => crypto.createHmac('sha256', secret).update(text).digest('hex');
const md5Hex = (bytes) => crypto.createHash('md5').update(bytes).digest('hex');

// Resolves/rejects like `promise`, or rejects after `ms` (the timer is always cleared).
function withTimeout(promise, ms, what = 'operation') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let uniqueCounter = 0;
// A channel/user name unique within this test run: letters, digits and '-' only.
function uniq(prefix = 'c-') {
  uniqueCounter += 1;
  return `${prefix}${process.pid}-${uniqueCounter}-${crypto.randomBytes(3).toString('hex')}`;
}

// Parses one text frame from the server. `data` is JSON-decoded when it is a string holding JSON
// (the Pusher double encoding); `rawData` keeps exactly what was on the wire.
function parseMessage(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return { event: undefined, raw: text, unparsable: true };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { event: undefined, raw: text, json, unparsable: true };
  }
  const message = {
    event: json.event,
    channel: json.channel,
    user_id: json.user_id,
    rawData: json.data,
    data: json.data,
    raw: text,
    json,
  };
  if (typeof json.data === 'string') {
    try {
      message.data = JSON.parse(json.data);
    } catch {
      // opaque string data stays a string
    }
  }
  return message;
}

function describeMessages(messages, max = 12) {
  const shown = messages.slice(-max).map((m) => (m.raw ?? JSON.stringify(m)).slice(0, 300));
  return `${messages.length} message(s)${messages.length > max ? ` (last ${max})` : ''}:\n  ${
    shown.join('\n  ') || '(none)'
  }`;
}

// ---------------------------------------------------------------------------------------------
// Signatures (computed by hand with node:crypto, never by the SDK, so they check the SDK too)

// `APP_KEY:hex(HMAC_SHA256(APP_SECRET, socketId:channel[:channelData]))`
function chanAuth(socketId, channel, channelData, app = DEFAULT_APP) {
  const toSign = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${app.key}:${hmacHex(app.secret, toSign)}`;
}

// `APP_KEY:hex(HMAC_SHA256(APP_SECRET, socketId::user::userData))`
function userAuth(socketId, userData, app = DEFAULT_APP) {
  return `${app.key}:${hmacHex(app.secret, `${socketId}::user::${userData}`)}`;
}

// Presence channel_data as the JSON string a client sends.
function pdata(userId, info = {}) {
  return JSON.stringify({ user_id: userId, user_info: info });
}

// ---------------------------------------------------------------------------------------------
// Raw ws client

class Client {
  constructor(ws, app, label) {
    this.ws = ws;
    this.app = app;
    this.label = label;
    this.messages = [];
    this.taken = new Set();
    this.listeners = new Set();
    this.socketId = undefined;
    this.activityTimeout = undefined;
    this.established = undefined;
    this.closeInfo = undefined;
    this.pongFrames = [];
    this.pingFrames = [];
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        this._notify();
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? undefined : data.toString('utf8');
      const message = isBinary ? { event: undefined, binary: data, raw: '<binary>' } : parseMessage(text);
      message.index = this.messages.length;
      this.messages.push(message);
      this._notify();
    });
    ws.on('pong', (payload) => {
      this.pongFrames.push(payload);
      this._notify();
    });
    ws.on('ping', (payload) => {
      this.pingFrames.push(payload);
      this._notify();
    });
    ws.on('error', (error) => {
      this.lastError = error;
      this._notify();
    });
  }

  _notify() {
    for (const listener of [...this.listeners]) listener();
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  // Resolves with the first not-yet-taken message matching `pred` (searching everything received
  // so far, then waiting). Each message is handed out by waitFor at most once.
  waitFor(pred, { timeout = DEFAULT_WAIT_MS, what = 'a matching message', rejectOnClose = true } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const check = () => {
        for (let i = 0; i < this.messages.length; i += 1) {
          if (!this.taken.has(i) && pred(this.messages[i])) {
            this.taken.add(i);
            done();
            resolve(this.messages[i]);
            return;
          }
        }
        if (rejectOnClose && this.closeInfo) {
          done();
          reject(
            new Error(
              `${this.label}: connection closed (code ${this.closeInfo.code} "${this.closeInfo.reason}") ` +
                `while waiting for ${what}; ${describeMessages(this.messages)}`,
            ),
          );
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `${this.label}: no ${what} within ${timeout} ms; received ${describeMessages(this.messages)}`,
          ),
        );
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }

  // Waits until `pred(client)` returns a truthy value (re-checked on every frame, pong, close).
  waitUntil(pred, { timeout = DEFAULT_WAIT_MS, what = 'a condition' } = {}) {
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
        const closed = this.closeInfo ? ` (connection closed: ${this.closeInfo.code} "${this.closeInfo.reason}")` : '';
        reject(new Error(`${this.label}: no ${what} within ${timeout} ms${closed}; ${describeMessages(this.messages)}`));
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }

  waitEvent(event, channel, options = {}) {
    const what = `"${event}"${channel === undefined ? '' : ` on "${channel}"`}`;
    return this.waitFor((m) => m.event === event && (channel === undefined || m.channel === channel), {
      what,
      ...options,
    });
  }

  waitClose(timeout = DEFAULT_WAIT_MS) {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return withTimeout(this.closed, timeout, `${this.label}: closing the connection`).catch((error) => {
      throw new Error(`${error.message}; ${describeMessages(this.messages)}`);
    });
  }

  mark() {
    return this.messages.length;
  }

  since(mark) {
    return this.messages.slice(mark);
  }

  // Every message received during the next `ms` milliseconds.
  async collect(ms) {
    const mark = this.mark();
    await sleep(ms);
    return this.since(mark);
  }

  // All messages received so far with this event (and channel, when given).
  events(event, channel) {
    return this.messages.filter((m) => m.event === event && (channel === undefined || m.channel === channel));
  }

  send(object) {
    this.ws.send(JSON.stringify(object));
  }

  sendText(text) {
    this.ws.send(text);
  }

  // pusher:ping -> waits for pusher:pong.
  async ping(timeout = DEFAULT_WAIT_MS) {
    this.send({ event: 'pusher:ping', data: {} });
    return this.waitEvent('pusher:pong', undefined, { timeout });
  }

  // Clean close; resolves with {code, reason} once the close handshake is over (or the socket is
  // torn down after a timeout).
  async close(code = 1000) {
    if (this.closeInfo) return this.closeInfo;
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
    } else if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(code);
    }
    const timer = setTimeout(() => this.ws.terminate(), 3_000);
    const info = await this.closed;
    clearTimeout(timer);
    return info;
  }

  // Drops the TCP connection without a close frame.
  async destroy() {
    if (this.closeInfo) return this.closeInfo;
    if (this.ws._socket) this.ws._socket.destroy();
    else this.ws.terminate();
    return this.closed;
  }
}

// Opens a raw ws client without waiting for anything. `key` defaults to the app's key.
function connect(node, { app = node.app, key = app.key, query = CLIENT_QUERY, path, wsOptions = {}, label } = {}) {
  const url = path === undefined ? `ws://${HOST}:${node.port}/app/${key}?${query}` : `ws://${HOST}:${node.port}${path}`;
  const ws = new WebSocket(url, { handshakeTimeout: 5_000, ...wsOptions });
  const client = new Client(ws, app, label ?? `client(${key})`);
  client.dispose = track(() => client.close());
  return client;
}

// Opens a raw ws client and waits for pusher:connection_established; records socket_id and
// activity_timeout.
async function open(node, options = {}) {
  const client = connect(node, options);
  const established = await client.waitEvent('pusher:connection_established', undefined, {
    timeout: options.timeout ?? DEFAULT_WAIT_MS,
  });
  client.established = established;
  if (established.data && typeof established.data === 'object') {
    client.socketId = established.data.socket_id;
    client.activityTimeout = established.data.activity_timeout;
  }
  client.label = options.label ?? `client ${client.socketId}`;
  return client;
}

function needsAuth(channel) {
  return channel.startsWith('private-') || channel.startsWith('presence-');
}

// Sends pusher:subscribe and waits for the outcome: the subscription_succeeded message, or a
// pusher:subscription_error for the channel, or any pusher:error.
// Options: auth (string; null = omit; default = computed for private/presence), channel_data
// (string), user ({id, info}) as a shortcut for channel_data, app (signing app).
async function sub(client, channel, options = {}) {
  const app = options.app ?? client.app;
  let channelData = options.channel_data;
  if (channelData === undefined && options.user) channelData = pdata(options.user.id, options.user.info ?? {});
  let auth = options.auth;
  if (auth === undefined && needsAuth(channel)) auth = chanAuth(client.socketId, channel, channelData, app);
  const data = { channel };
  if (auth !== null && auth !== undefined) data.auth = auth;
  if (auth === undefined && !needsAuth(channel)) data.auth = '';
  if (channelData !== undefined) data.channel_data = channelData;
  client.send({ event: 'pusher:subscribe', data });
  return client.waitFor(
    (m) =>
      (m.event === 'pusher_internal:subscription_succeeded' && m.channel === channel) ||
      (m.event === 'pusher:subscription_error' && m.channel === channel) ||
      m.event === 'pusher:error',
    { what: `the outcome of subscribing to "${channel}"`, timeout: options.timeout ?? DEFAULT_WAIT_MS },
  );
}

// sub() that must succeed; returns the subscription_succeeded message.
async function subOk(client, channel, options = {}) {
  const reply = await sub(client, channel, options);
  if (reply.event !== 'pusher_internal:subscription_succeeded') {
    throw new Error(`subscribing ${client.socketId} to "${channel}" failed: ${reply.raw}`);
  }
  return reply;
}

// Asserts that `reply` (from sub()) is a pusher:subscription_error for `channel` whose data
// carries an error text. With `auth: true` the status must say "unauthorized" (401 or 403).
function assertSubscriptionError(reply, channel, { auth = false } = {}) {
  assert.equal(
    reply.event,
    'pusher:subscription_error',
    `expected pusher:subscription_error for "${channel}", got: ${reply.raw}`,
  );
  assert.equal(reply.channel, channel, 'the subscription_error names the channel');
  assert.equal(typeof reply.data, 'object', `subscription_error data is an object: ${reply.raw}`);
  assert.ok(reply.data !== null);
  const text = reply.data.error ?? reply.data.message;
  assert.equal(typeof text, 'string', `subscription_error data carries an error text: ${reply.raw}`);
  assert.ok(text.length > 0);
  if (auth) {
    assert.ok(
      reply.data.status === 401 || reply.data.status === 403,
      `auth failure status should be 401/403: ${reply.raw}`,
    );
  }
}

// pusher:signin with a locally computed signature over the exact user_data string. Resolves with
// pusher:signin_success or the pusher:error that answers it.
async function signin(client, user, { app = client.app, auth } = {}) {
  const userData = typeof user === 'string' ? user : JSON.stringify(user);
  client.send({
    event: 'pusher:signin',
    data: { auth: auth ?? userAuth(client.socketId, userData, app), user_data: userData },
  });
  return client.waitFor((m) => m.event === 'pusher:signin_success' || m.event === 'pusher:error', {
    what: 'the answer to pusher:signin',
    rejectOnClose: false,
  });
}

async function signinOk(client, user, options) {
  const reply = await signin(client, user, options);
  if (reply.event !== 'pusher:signin_success') throw new Error(`signin of ${client.socketId} failed: ${reply.raw}`);
  return reply;
}

// ---------------------------------------------------------------------------------------------
// HTTP API, signed by hand

function encodeQueryValue(value, escape) {
  return escape ? encodeURIComponent(value) : String(value);
}

// Signs and sends an HTTP API request. Returns {status, headers, text, json}.
// Options:
//   query      extra query params (object; values are strings)
//   body       string | Buffer | object (objects are JSON.stringify'd); omitted for GET
//   app        signing app (default node.app); key/secret overrides: authKey, secret
//   timestamp  auth_timestamp to use (default now)
//   signBody   bytes used for body_md5 and the signature when they differ from the sent body
//   escape     percent-encode query values in the URL (default true; the signature always uses
//              the unescaped values)
//   order      'sorted' | 'reversed' order of params in the URL (signature is always sorted)
//   signature  auth_signature override
//   signPath   path used in the string to sign (default: the request path)
//   headers    extra request headers
function api(node, method, path, options = {}) {
  const app = options.app ?? node.app;
  const secret = options.secret ?? app.secret;
  let body = options.body;
  if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) body = JSON.stringify(body);
  const bodyBytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const signBytes = options.signBody === undefined ? bodyBytes : Buffer.from(options.signBody);

  const params = {
    auth_key: options.authKey ?? app.key,
    auth_timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...(options.query ?? {}),
  };
  if (signBytes.length > 0) params.body_md5 = md5Hex(signBytes);
  const signedPairs = Object.keys(params)
    .map((k) => [k.toLowerCase(), String(params[k])])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const stringToSign = `${method}\n${options.signPath ?? path}\n${signedPairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
  const signature = options.signature ?? hmacHex(secret, stringToSign);

  const escape = options.escape ?? true;
  let urlPairs = Object.keys(params).map((k) => [k, params[k]]);
  urlPairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (options.order === 'reversed') urlPairs = urlPairs.reverse();
  urlPairs.push(['auth_signature', signature]);
  const queryString = urlPairs.map(([k, v]) => `${k}=${encodeQueryValue(v, escape)}`).join('&');

  const headers = { ...(options.headers ?? {}) };
  if (bodyBytes.length > 0 && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD') headers['Content-Length'] = String(bodyBytes.length);

  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: HOST, port: node.port, method, path: `${path}?${queryString}`, headers, timeout: 10_000 },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode, headers: response.headers, text, json });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`HTTP ${method} ${path}: no response within 10 s`)));
    request.on('error', reject);
    if (bodyBytes.length > 0) request.write(bodyBytes);
    request.end();
  });
}

// POST /apps/{id}/events with body {name, channels, data, socket_id?, info?}.
function trigger(node, channels, name, data, { socketId, info, app = node.app } = {}) {
  const body = { name, channels: Array.isArray(channels) ? channels : [channels], data };
  if (socketId !== undefined) body.socket_id = socketId;
  if (info !== undefined) body.info = info;
  return api(node, 'POST', `/apps/${app.id}/events`, { body: JSON.stringify(body), app });
}

// Like trigger() but fails unless the node answers 200.
async function triggerOk(node, channels, name, data, options = {}) {
  const response = await trigger(node, channels, name, data, options);
  if (response.status !== 200) {
    throw new Error(`trigger ${name} -> ${JSON.stringify(channels)} answered ${response.status}: ${response.text}`);
  }
  return response;
}

// ---------------------------------------------------------------------------------------------
// Official SDKs pointed at the node

// The `pusher` server SDK (pusher-http-node) configured for this node.
function sdk(node, { app = node.app, ...extra } = {}) {
  return new PusherServer({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: HOST,
    port: String(node.port),
    useTLS: false,
    timeout: 10_000,
    ...extra,
  });
}

// A pusher-js client (its node build) connected to the node. Channel authorization and user
// authentication are custom handlers that sign locally with the `pusher` SDK.
// Options:
//   app             signing app (default node.app)
//   presence        (channelName) => ({user_id, user_info}) for presence channels
//   user            user_data object for pusher.signin() ({id, user_info?, watchlist?})
//   authorize       (params, callback) custom override of the channel handler
//   encryptionMasterKeyBase64  given to the signing SDK (private-encrypted channels)
//   options         extra pusher-js options
function pusherClient(node, { app = node.app, presence, user, authorize, encryptionMasterKeyBase64, options = {} } = {}) {
  const signer = sdk(node, { app, ...(encryptionMasterKeyBase64 ? { encryptionMasterKeyBase64 } : {}) });
  const client = new PusherJS(app.key, {
    wsHost: HOST,
    wsPort: node.port,
    wssPort: node.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: '',
    channelAuthorization: {
      customHandler:
        authorize ??
        ((params, callback) => {
          try {
            const presenceData =
              params.channelName.startsWith('presence-') && presence ? presence(params.channelName) : undefined;
            callback(null, signer.authorizeChannel(params.socketId, params.channelName, presenceData));
          } catch (error) {
            callback(error, null);
          }
        }),
    },
    userAuthentication: {
      customHandler: (params, callback) => {
        try {
          if (!user) throw new Error('no user configured for this test client');
          callback(null, signer.authenticateUser(params.socketId, user));
        } catch (error) {
          callback(error, null);
        }
      },
    },
    ...options,
  });
  track(() => disconnectPusher(client));
  return client;
}

function waitPusherState(client, state, timeout = DEFAULT_WAIT_MS) {
  if (client.connection.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onChange = ({ current }) => {
      if (current === state) {
        clearTimeout(timer);
        client.connection.unbind('state_change', onChange);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      client.connection.unbind('state_change', onChange);
      reject(new Error(`pusher-js did not reach state "${state}" within ${timeout} ms (now "${client.connection.state}")`));
    }, timeout);
    client.connection.bind('state_change', onChange);
  });
}

async function disconnectPusher(client) {
  if (client.connection.state === 'disconnected' || client.connection.state === 'initialized') {
    client.disconnect();
    return;
  }
  const gone = waitPusherState(client, 'disconnected', 3_000).catch(() => {});
  client.disconnect();
  await gone;
  // Give the server a moment to see the TCP close before the next test starts.
  await sleep(50);
}

// Resolves with the arguments of the first emission of `event` on a pusher-js channel (or any
// pusher-js event emitter).
function onceArgs(emitter, event, timeout = DEFAULT_WAIT_MS) {
  return new Promise((resolve, reject) => {
    const handler = (...args) => {
      clearTimeout(timer);
      emitter.unbind(event, handler);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.unbind(event, handler);
      reject(new Error(`no "${event}" within ${timeout} ms`));
    }, timeout);
    emitter.bind(event, handler);
  });
}

// Resolves with the first argument (the data) of the first emission of `event`.
const once = (emitter, event, timeout) => onceArgs(emitter, event, timeout).then((args) => args[0]);

// ---------------------------------------------------------------------------------------------
// Raw TCP socket and WebSocket frames

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

// Builds one WebSocket frame. Client frames are masked (default).
function frame({ fin = true, rsv1 = false, rsv2 = false, rsv3 = false, opcode = 0x1, masked = true, payload = Buffer.alloc(0), mask } = {}) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const length = body.length;
  let header;
  if (length < 126) {
    header = Buffer.alloc(2);
    header[1] = length;
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  header[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | (rsv3 ? 0x10 : 0) | (opcode & 0x0f);
  if (!masked) return Buffer.concat([header, body]);
  header[1] |= 0x80;
  const key = mask ?? crypto.randomBytes(4);
  const maskedBody = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) maskedBody[i] = body[i] ^ key[i % 4];
  return Buffer.concat([header, key, maskedBody]);
}

// A masked text frame holding JSON.stringify(object).
const textFrame = (object) => frame({ opcode: 0x1, payload: Buffer.from(JSON.stringify(object)) });

// Incremental parser of server frames.
class FrameReader {
  constructor() {
    this.buffer = Buffer.alloc(0);
  }

  push(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames = [];
    for (;;) {
      if (this.buffer.length < 2) break;
      const b0 = this.buffer[0];
      const b1 = this.buffer[1];
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) break;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) break;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const maskKey = masked ? this.buffer.subarray(offset, offset + 4) : undefined;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) break;
      let payload = Buffer.from(this.buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i += 1) payload[i] ^= maskKey[i % 4];
      frames.push({
        fin: (b0 & 0x80) !== 0,
        rsv1: (b0 & 0x40) !== 0,
        opcode: b0 & 0x0f,
        masked,
        payload,
        headerLength: offset,
      });
      this.buffer = this.buffer.subarray(offset + length);
    }
    return frames;
  }
}

class RawSocket {
  constructor(socket) {
    this.socket = socket;
    this.reader = new FrameReader();
    this.frames = [];
    this.messages = []; // parsed text frames
    this.taken = new Set();
    this.listeners = new Set();
    this.ended = false;
    this.endedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true;
        this._notify();
        resolve();
      });
    });
  }

  _onFrames(frames) {
    for (const f of frames) {
      this.frames.push(f);
      if (f.opcode === 0x1) {
        const message = parseMessage(f.payload.toString('utf8'));
        message.index = this.messages.length;
        this.messages.push(message);
      }
    }
    if (frames.length > 0) this._notify();
  }

  _notify() {
    for (const listener of [...this.listeners]) listener();
  }

  write(bytes) {
    this.socket.write(bytes);
  }

  // Waits until `pred(rawSocket)` is true.
  waitUntil(pred, { timeout = DEFAULT_WAIT_MS, what = 'a condition' } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
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
        } else if (this.ended) {
          done();
          reject(new Error(`raw socket ended while waiting for ${what}; ${describeMessages(this.messages)}`));
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      timer = setTimeout(() => {
        done();
        reject(new Error(`raw socket: no ${what} within ${timeout} ms; ${describeMessages(this.messages)}`));
      }, timeout);
      this.listeners.add(check);
      check();
    });
  }

  waitFor(pred, { timeout = DEFAULT_WAIT_MS, what = 'a matching message' } = {}) {
    return this.waitUntil(
      () => {
        for (let i = 0; i < this.messages.length; i += 1) {
          if (!this.taken.has(i) && pred(this.messages[i])) {
            this.taken.add(i);
            return this.messages[i];
          }
        }
        return undefined;
      },
      { timeout, what },
    );
  }

  waitFrame(pred, options = {}) {
    return this.waitUntil(() => this.frames.find(pred), { what: 'a matching frame', ...options });
  }

  destroy() {
    this.socket.destroy();
    return this.endedPromise;
  }
}

// Opens a TCP connection to the node and performs the WebSocket upgrade by hand.
// `afterUpgrade` (Buffer) is written in the same tick the 101 response headers are complete,
// before any server frame is read. `socket` upgrades a connection the caller opened instead
// (a TLS one, say), to `port`. Resolves with a RawSocket (status, headers set).
function raw(node, { path = `/app/${node.app.key}?${CLIENT_QUERY}`, afterUpgrade, extraHeaders = '', socket: given, port = node.port } = {}) {
  return new Promise((resolve, reject) => {
    const key = crypto.randomBytes(16).toString('base64');
    const socket = given ?? net.connect({ host: HOST, port });
    const rawSocket = new RawSocket(socket);
    track(() => rawSocket.destroy());
    let head = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw socket: no upgrade response within 5 s'));
    }, 5_000);
    socket.on('error', (error) => {
      if (!upgraded) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('data', (chunk) => {
      if (upgraded) {
        rawSocket._onFrames(rawSocket.reader.push(chunk));
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      clearTimeout(timer);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      rawSocket.statusLine = lines[0];
      rawSocket.status = Number(lines[0].split(' ')[1]);
      rawSocket.headers = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) rawSocket.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      rawSocket.expectedAccept = crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
      if (afterUpgrade && rawSocket.status === 101) socket.write(afterUpgrade);
      const rest = head.subarray(end + 4);
      if (rest.length > 0) rawSocket._onFrames(rawSocket.reader.push(rest));
      resolve(rawSocket);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
    );
  });
}

module.exports = {
  CLIENT_QUERY,
  Client,
  FrameReader,
  RawSocket,
  api,
  assertSubscriptionError,
  chanAuth,
  collect: (client, ms) => client.collect(ms),
  connect,
  describeMessages,
  disconnectPusher,
  frame,
  hmacHex,
  md5Hex,
  once,
  onceArgs,
  open,
  parseMessage,
  pdata,
  pusherClient,
  raw,
  sdk,
  signin,
  signinOk,
  sleep,
  sub,
  subOk,
  textFrame,
  trigger,
  triggerOk,
  uniq,
  userAuth,
  waitPusherState,
  withTimeout,
  PusherJS,
  PusherServer,
};
