'use strict';

// Harness that runs a real dnotifier-node process for a compat test file.
//
// * Binary: $DNOTIFIER_NODE_BIN (ctest sets it to the built target).
// * Every node gets a fresh temporary directory (fs.mkdtemp) holding its JSON config file and
//   its data dir; both are removed when the node stops.
// * The node is started with `--config FILE --data-dir DIR --port 0 --host 127.0.0.1
//   --peer-port 0 --admin-port 0` and the ports it picked are read from the stdout lines
//   "Listening on http://127.0.0.1:PORT", "Peer links on 127.0.0.1:PORT" and
//   "Admin channel on wss://127.0.0.1:PORT/admin" (with the certificate fingerprint after it).
// * The process is always stopped by its PID: SIGTERM, then SIGKILL after 5 s. useNode()
//   does that in an after() hook; a process 'exit' / signal handler does it too, so a crash of
//   the test file or a failing test never leaves a node running.
// * stdout/stderr are kept in memory; when the test file ends with failures, the tail of each
//   node's output is printed to stderr for diagnosis.
//
// Only 127.0.0.1 is ever used.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { before, after, afterEach } = require('node:test');
const { cleanupAll } = require('./cleanup');

const HOST = '127.0.0.1';
const LISTEN_RE = /Listening on https?:\/\/127\.0\.0\.1:(\d+)/;
const PEER_RE = /Peer links on 127\.0\.0\.1:(\d+)/;
const ADMIN_RE = /Admin channel on wss:\/\/127\.0\.0\.1:(\d+)\/admin\n\s+certificate SHA-256 fingerprint ([0-9A-F:]{95})\n/;
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const LOG_CAP_BYTES = 256 * 1024;

// The field reports' placeholders (key1/secret1); app ids must be digits for the node.
const DEFAULT_APP = Object.freeze({ id: '101', key: 'key1', secret: 'secret1' });

const liveNodes = new Set(); // nodes whose child process may still be running
const allNodes = []; // every node started by this file, for failure diagnostics

function killAllSync() {
  for (const node of liveNodes) {
    try {
      node.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    node._removeTempDirSync();
  }
  liveNodes.clear();
}

process.on('exit', (code) => {
  killAllSync();
  const failed = (code ?? process.exitCode ?? 0) !== 0;
  if (failed || process.env.DNOTIFIER_COMPAT_VERBOSE) {
    for (const node of allNodes) node._printDiagnostics();
  }
});
for (const [signal, number] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
]) {
  process.once(signal, () => {
    killAllSync();
    process.exit(128 + number);
  });
}

function appendCapped(current, chunk) {
  const next = current + chunk;
  return next.length > LOG_CAP_BYTES ? next.slice(next.length - LOG_CAP_BYTES) : next;
}

function tail(text, lines = 40) {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

// Builds the JSON config (the lead's schema, snake_case keys). `options.app` is merged over
// DEFAULT_APP; `options.apps` lists extra apps (each needs id/key/secret). Any other key is
// copied to the top level as is (activity_timeout, pong_timeout, ...).
function buildConfig(options = {}) {
  const { app = {}, apps = [], ...top } = options;
  const config = {
    host: HOST,
    port: 0,
    ...top,
    app: { ...DEFAULT_APP, ...app },
  };
  if (apps.length > 0) config.apps = apps.map((a) => ({ ...a }));
  return config;
}

class DNotifierNode {
  constructor(options = {}, label = 'node') {
    // `dataDir` keeps the node's data directory at a path the test owns (to start a node
    // again on the same state); by default it is inside the node's own temporary directory.
    const { openFileLimit, dataDir, ...configOptions } = options;
    this.label = label;
    this.openFileLimit = openFileLimit;
    this.ownDataDir = dataDir;
    this.config = buildConfig(configOptions);
    this.host = HOST;
    this.port = undefined;
    this.peerPort = undefined;
    this.child = undefined;
    this.pid = undefined;
    this.stdout = '';
    this.stderr = '';
    this.exitInfo = undefined; // {code, signal} once the process is gone
    this.stopping = false;
    this.tempDir = undefined;
    this._exited = undefined;
  }

  // The primary app ({id, key, secret, ...}) and all apps, as written to the config.
  get app() {
    return this.config.app;
  }

  get apps() {
    return [this.config.app, ...(this.config.apps ?? [])];
  }

  appById(id) {
    const found = this.apps.find((a) => a.id === id);
    if (!found) throw new Error(`no app with id ${id} in this node's config`);
    return found;
  }

  get alive() {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  wsUrl({ key = this.app.key, query = 'protocol=7&client=js&version=8.6.0&flash=false' } = {}) {
    return `ws://${HOST}:${this.port}/app/${key}${query === '' ? '' : `?${query}`}`;
  }

  async start() {
    const bin = process.env.DNOTIFIER_NODE_BIN;
    if (!bin) {
      throw new Error(
        'DNOTIFIER_NODE_BIN is not set; point it at the dnotifier-node binary ' +
          '(ctest sets it to $<TARGET_FILE:dnotifier-node>)',
      );
    }
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch (error) {
      throw new Error(`DNOTIFIER_NODE_BIN=${bin} is not an executable file (${error.code})`);
    }

    this.tempDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'dnotifier-compat-'));
    const dataDir = this.ownDataDir ?? path.join(this.tempDir, 'data');
    await fsp.mkdir(dataDir, { recursive: true });
    const configFile = path.join(this.tempDir, 'config.json');
    await fsp.writeFile(configFile, JSON.stringify(this.config, null, 2));
    this.configFile = configFile;
    this.dataDir = dataDir;

    const args = ['--config', configFile, '--data-dir', dataDir, '--port', '0', '--host', HOST, '--peer-port', '0', '--admin-port', '0'];
    // ctest runs some suites twice, the second time with several I/O threads (tests/CMakeLists.txt).
    if (process.env.COMPAT_IO_THREADS) args.push('--io-threads', process.env.COMPAT_IO_THREADS);
    // The node reads DNOTIFIER_* environment variables as a config layer: keep the test's own
    // (DNOTIFIER_NODE_BIN, ...) and any left in the shell away from it.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DNOTIFIER_')));
    // `openFileLimit` starts the node under a lower RLIMIT_NOFILE, through the shell's ulimit.
    const child =
      this.openFileLimit === undefined
        ? spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
        : spawn('/bin/sh', ['-c', `ulimit -n ${Number(this.openFileLimit)} && exec "$0" "$@"`, bin, ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
            env,
          });
    this.child = child;
    this.pid = child.pid;
    allNodes.push(this);
    liveNodes.add(this);

    this._exited = new Promise((resolve) => {
      child.once('error', (error) => {
        // A spawn failure emits 'error' without 'exit'.
        if (child.pid === undefined && this.exitInfo === undefined) {
          this.exitInfo = { code: null, signal: null, error: error.message };
          liveNodes.delete(this);
          resolve(this.exitInfo);
        }
      });
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        liveNodes.delete(this);
        if (!this.stopping) {
          process.stderr.write(
            `[compat] dnotifier-node ${this.label} (pid ${this.pid}) exited unexpectedly: ` +
              `code=${code} signal=${signal}\n${tail(this.stderr)}\n`,
          );
        }
        resolve(this.exitInfo);
      });
    });

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      this.stderr = appendCapped(this.stderr, chunk);
    });

    const port = await new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn(value);
      };
      const timer = setTimeout(() => {
        finish(
          reject,
          new Error(
            `dnotifier-node (${bin}) printed no "Listening on", "Peer links on" and "Admin channel on" lines ` +
              `within ${STARTUP_TIMEOUT_MS / 1000} s.\nstdout:\n${tail(this.stdout)}\n` +
              `stderr:\n${tail(this.stderr)}`,
          ),
        );
      }, STARTUP_TIMEOUT_MS);
      let lineBuffer = '';
      child.stdout.on('data', (chunk) => {
        this.stdout = appendCapped(this.stdout, chunk);
        if (settled) return;
        lineBuffer += chunk;
        const match = LISTEN_RE.exec(lineBuffer);
        const peer = PEER_RE.exec(lineBuffer);
        const admin = ADMIN_RE.exec(lineBuffer);
        if (match && peer && admin) {
          this.peerPort = Number(peer[1]);
          this.adminPort = Number(admin[1]);
          this.adminFingerprint = admin[2];
          finish(resolve, Number(match[1]));
        }
        else if (lineBuffer.length > 65536) lineBuffer = lineBuffer.slice(-1024);
      });
      child.once('error', (error) => {
        finish(reject, new Error(`cannot start dnotifier-node (${bin}): ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        finish(
          reject,
          new Error(
            `dnotifier-node (${bin}) exited before listening (code=${code} signal=${signal}).\n` +
              `config: ${JSON.stringify(this.config)}\nstdout:\n${tail(this.stdout)}\n` +
              `stderr:\n${tail(this.stderr)}`,
          ),
        );
      });
    }).catch(async (error) => {
      await this.stop();
      throw error;
    });

    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      await this.stop();
      throw new Error(`dnotifier-node reported an invalid port: ${port}`);
    }
    this.port = port;
    return this;
  }

  // SIGTERM, then SIGKILL after 5 s; always waits for the process to be gone.
  async stop() {
    if (!this.child) return undefined;
    this.stopping = true;
    if (this.exitInfo === undefined) {
      try {
        // A node a test paused with SIGSTOP would not act on SIGTERM until resumed.
        this.child.kill('SIGCONT');
        this.child.kill('SIGTERM');
      } catch {
        // already gone
      }
      let timer;
      const killed = new Promise((resolve) => {
        timer = setTimeout(() => {
          try {
            this.child.kill('SIGKILL');
          } catch {
            // already gone
          }
          resolve();
        }, STOP_GRACE_MS);
      });
      await Promise.race([this._exited, killed]);
      clearTimeout(timer);
      await this._exited;
    }
    liveNodes.delete(this);
    this._removeTempDirSync();
    return this.exitInfo;
  }

  // For a test that makes the node exit on its own (a drain): resolves with {code, signal}
  // once it has, without reporting the exit as unexpected.
  expectExit() {
    this.stopping = true;
    return this._exited;
  }

  // "127.0.0.1:PORT" of the peer listener, for other nodes' seed lists.
  get peerAddress() {
    return `${HOST}:${this.peerPort}`;
  }

  // Sends a signal to this node's own process (SIGKILL, SIGSTOP, SIGCONT): tests of failures.
  signal(name) {
    if (this.alive) this.child.kill(name);
  }

  _removeTempDirSync() {
    if (!this.tempDir) return;
    try {
      fs.rmSync(this.tempDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
    this.tempDir = undefined;
  }

  _printDiagnostics() {
    process.stderr.write(
      `\n[compat] ---- dnotifier-node ${this.label} pid ${this.pid} port ${this.port} ` +
        `exit ${JSON.stringify(this.exitInfo ?? null)} ----\n` +
        `[compat] stdout tail:\n${tail(this.stdout)}\n[compat] stderr tail:\n${tail(this.stderr, 80)}\n`,
    );
  }
}

// Starts one node for the whole test file (before), cleans up every client after each test
// (afterEach) and stops the node (after). Returns the node; its port is known once before()
// has run.
function useNode(options = {}, label = 'node') {
  const node = new DNotifierNode(options, label);
  before(async () => {
    await node.start();
  });
  afterEach(async () => {
    await cleanupAll();
  });
  after(async () => {
    await cleanupAll();
    await node.stop();
  });
  return node;
}

// For a test that needs its own short-lived node: starts it and registers its stop with the
// clean-up hooks of the current test (call `await node.stop()` yourself too when done).
async function startNode(options = {}, label = 'extra') {
  const { track } = require('./cleanup');
  const node = new DNotifierNode(options, label);
  track(() => node.stop());
  await node.start();
  return node;
}

module.exports = { DNotifierNode, useNode, startNode, buildConfig, DEFAULT_APP, HOST };
