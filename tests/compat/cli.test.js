'use strict';

// The dnotifier-node command line as a user meets it: --help, --version, a zero-config first
// start that creates its data directory and default app, reuse of that app on the next start,
// precedence of config file < environment < flags, and bad values stopping the start.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const BIN = process.env.DNOTIFIER_NODE_BIN;
const LISTEN_RE = /Listening on http:\/\/127\.0\.0\.1:(\d+)/;
const running = new Set();
const tempDirs = [];

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnotifier-cli-'));
  tempDirs.push(dir);
  return dir;
}

// A clean environment: no DNOTIFIER_* from the caller, HOME inside a temporary directory.
function cleanEnv(home, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('DNOTIFIER_') && key !== 'XDG_DATA_HOME') env[key] = value;
  }
  // A free peer port: the default 6002 would collide between nodes of parallel test runs.
  return { ...env, HOME: home, DNOTIFIER_PEER_PORT: '0', DNOTIFIER_ADMIN_PORT: '0', ...extra };
}

function runOnce(args, env) {
  return spawnSync(BIN, args, { env, encoding: 'utf8', timeout: 20_000 });
}

// Starts the node, waits for its banner, stops it by PID and returns what it printed.
function startAndStop(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env });
    running.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (LISTEN_RE.test(stdout) && stdout.includes("pusher.subscribe('my-channel')")) {
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

after(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

test('--version prints the program name and version and exits 0', () => {
  const result = runOnce(['--version'], cleanEnv(tempDir()));
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^DNotifier node \d+\.\d+\.\d+\n$/);
});

test('--help lists every flag and exits 0', () => {
  const result = runOnce(['--help'], cleanEnv(tempDir()));
  assert.equal(result.status, 0);
  for (const flag of ['--config', '--data-dir', '--host', '--port', '--io-threads',
    '--activity-timeout', '--pong-timeout', '--app-id', '--app-key', '--app-secret']) {
    assert.ok(result.stdout.includes(flag), `help mentions ${flag}`);
  }
});

test('first start without configuration creates the data directory and a 0600 default app, the next start reuses it', async () => {
  const home = tempDir();
  const env = cleanEnv(home);
  const dataDir = path.join(home, '.local', 'share', 'dnotifier');

  const first = await startAndStop(['--port', '0', '--peer-port', '0'], env);
  const appFile = path.join(dataDir, 'default-app.json');
  assert.equal(fs.statSync(appFile).mode & 0o777, 0o600);
  const stored = JSON.parse(fs.readFileSync(appFile, 'utf8'));
  assert.match(stored.id, /^\d+$/);
  assert.match(stored.key, /^[0-9a-f]{20}$/);
  assert.match(stored.secret, /^[0-9a-f]{40}$/);
  assert.ok(first.stdout.includes(`secret: ${stored.secret}`), 'the new secret is shown once');
  assert.ok(first.stdout.includes(`new Pusher('${stored.key}'`), 'pusher-js snippet with the key');
  assert.match(first.stdout, /Listening on http:\/\/127\.0\.0\.1:\d+/);

  const second = await startAndStop(['--port', '0', '--peer-port', '0'], env);
  assert.deepEqual(JSON.parse(fs.readFileSync(appFile, 'utf8')), stored);
  assert.ok(second.stdout.includes(`ws://127.0.0.1:`) && second.stdout.includes(`/app/${stored.key}`));
  assert.ok(!second.stdout.includes(stored.secret), 'the secret is not printed again');
});

test('precedence: config file < environment < flags for the default app and the port', async () => {
  const home = tempDir();
  const config = path.join(home, 'node.json');
  fs.writeFileSync(config, JSON.stringify({ port: 0, app: { id: '11', key: 'file-key', secret: 'file-secret' } }));
  const dataDir = path.join(home, 'data');

  const fromFile = await startAndStop(['--config', config, '--data-dir', dataDir], cleanEnv(home));
  assert.ok(fromFile.stdout.includes('/app/file-key'), fromFile.stdout);
  assert.ok(fromFile.stdout.includes('/apps/11/events'));

  const env = cleanEnv(home, { DNOTIFIER_APP_KEY: 'env-key', DNOTIFIER_APP_ID: '22' });
  const fromEnv = await startAndStop(['--config', config, '--data-dir', dataDir], env);
  assert.ok(fromEnv.stdout.includes('/app/env-key'), fromEnv.stdout);
  assert.ok(fromEnv.stdout.includes('/apps/22/events'));

  const fromFlags = await startAndStop(
    ['--config', config, '--data-dir', dataDir, '--app-key', 'flag-key', '--app-id', '33'], env);
  assert.ok(fromFlags.stdout.includes('/app/flag-key'), fromFlags.stdout);
  assert.ok(fromFlags.stdout.includes('/apps/33/events'));
});

test('a bad value stops the start with exit code 2 and a message naming key, value and what is allowed', () => {
  const home = tempDir();
  const cases = [
    { args: ['--port', '70000'], words: ['port', '70000', '65535'] },
    { args: ['--host', 'not-an-ip'], words: ['host', 'not-an-ip'] },
    { args: ['--activity-timeout', '0'], words: ['activity-timeout', '0'] },
    { args: ['--bogus-flag'], words: ['bogus-flag'] },
  ];
  for (const { args, words } of cases) {
    const result = runOnce([...args, '--data-dir', path.join(home, 'data')], cleanEnv(home));
    assert.equal(result.status, 2, `${args.join(' ')} exits 2`);
    for (const word of words) {
      assert.ok(result.stderr.includes(word), `${args.join(' ')}: stderr names ${word}: ${result.stderr}`);
    }
  }

  const config = path.join(home, 'bad.json');
  fs.writeFileSync(config, JSON.stringify({ app: { max_presence_members: 'many' } }));
  const fromFile = runOnce(['--config', config, '--data-dir', path.join(home, 'data')], cleanEnv(home));
  assert.equal(fromFile.status, 2);
  assert.ok(fromFile.stderr.includes('max_presence_members'), fromFile.stderr);
  assert.ok(fromFile.stderr.includes('many'), fromFile.stderr);

  const env = cleanEnv(home, { DNOTIFIER_PORT: 'eighty' });
  const fromEnv = runOnce(['--data-dir', path.join(home, 'data')], env);
  assert.equal(fromEnv.status, 2);
  assert.ok(fromEnv.stderr.includes('DNOTIFIER_PORT') && fromEnv.stderr.includes('eighty'), fromEnv.stderr);
});

test('an unusable data directory is reported at start', () => {
  const home = tempDir();
  const blocker = path.join(home, 'file-not-dir');
  fs.writeFileSync(blocker, 'x');
  const result = runOnce(['--data-dir', path.join(blocker, 'data'), '--port', '0', '--peer-port', '0'], cleanEnv(home));
  assert.equal(result.status, 2);
  assert.ok(result.stderr.includes(blocker), result.stderr);
});

// Runs the node in a private mount namespace (unshare, as root or as a mapped root user) whose
// data directory lies on a small tmpfs that `prepare` (shell commands, $D is the mount point)
// fills up or makes read-only first. Nothing outside the namespace sees the mount.
function runOnTmpfs(home, prepare) {
  const mountPoint = tempDir();
  const script = `set -e; D='${mountPoint}'; mount -t tmpfs -o size=256k,mode=0755 dnotifier-test "$D"; ${prepare}; ` +
    `exec "$0" --data-dir "$D/data" --port 0 --peer-port 0 --admin-port 0`;
  const result = spawnSync('unshare', ['--map-root-user', '--mount', 'sh', '-c', script, BIN], {
    env: cleanEnv(home),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.error, undefined, `unshare could not run: ${result.error}`);
  return { ...result, dataDir: path.join(mountPoint, 'data') };
}

test('a full disk under the data directory stops the start with exit code 2 and says the disk is full', () => {
  const result = runOnTmpfs(tempDir(), 'mkdir -m 0700 "$D/data"; head -c 1048576 /dev/zero > "$D/fill" 2>/dev/null || true');
  assert.equal(result.status, 2, result.stderr);
  assert.equal(
    result.stderr.trim(),
    `dnotifier-node: data directory "${result.dataDir}" is not writable: the disk is full (No space left on device)`,
  );
});

test('a read-only data directory stops the start with exit code 2 and says so', () => {
  const result = runOnTmpfs(tempDir(), 'mkdir -m 0700 "$D/data"; mount -o remount,ro "$D"');
  assert.equal(result.status, 2, result.stderr);
  assert.equal(
    result.stderr.trim(),
    `dnotifier-node: data directory "${result.dataDir}" is not writable: it is on a read-only file system`,
  );
});

test('token prints an HS256 connection token with sub, channels, info and exp that jose verifies', async () => {
  const { jwtVerify } = await import('jose');
  const home = tempDir();
  const dataDir = path.join(home, 'data');
  const args = ['token', '--data-dir', dataDir, '--sub', 'u42', '--channels', 'news,personal:u42',
    '--info', '{"name":"Ada"}', '--ttl', '2h'];
  const result = runOnce(args, cleanEnv(home));
  assert.equal(result.status, 0, result.stderr);
  const token = result.stdout.trim();
  const secret = JSON.parse(fs.readFileSync(path.join(dataDir, 'default-app.json'), 'utf8')).secret;
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secret));
  assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
  assert.equal(payload.sub, 'u42');
  assert.deepEqual(payload.channels, ['news', 'personal:u42']);
  assert.deepEqual(payload.info, { name: 'Ada' });
  assert.equal(payload.exp - payload.iat, 7200);
});

test('token refuses a bad lifetime, bad info JSON and an unknown app with exit code 2', () => {
  const home = tempDir();
  const dataDir = path.join(home, 'data');
  const cases = [
    { args: ['--ttl', '0'], words: ['--ttl', '"0"'] },
    { args: ['--ttl', 'forever'], words: ['--ttl', 'forever'] },
    { args: ['--info', '{not json'], words: ['--info'] },
    { args: ['--app', '999'], words: ['999'] },
    { args: ['--bogus'], words: ['bogus'] },
  ];
  for (const { args, words } of cases) {
    const result = runOnce(['token', '--data-dir', dataDir, ...args], cleanEnv(home));
    assert.equal(result.status, 2, `${args.join(' ')} exits 2`);
    assert.equal(result.stdout, '');
    for (const word of words) {
      assert.ok(result.stderr.includes(word), `${args.join(' ')}: stderr names ${word}: ${result.stderr}`);
    }
  }
});

test('join-token prints a dnj1 token with the documented fields, and the same data dir keeps its cluster fingerprint', () => {
  const home = tempDir();
  const dataDir = path.join(home, 'data');
  const runJoinToken = () => {
    // The default peer port, for the default seed the token names.
    const result = runOnce(['join-token', '--data-dir', dataDir, '--ttl', '10m'], cleanEnv(home, { DNOTIFIER_PEER_PORT: '6002' }));
    assert.equal(result.status, 0, result.stderr);
    return { ...result, now: Math.floor(Date.now() / 1000) };
  };

  const first = runJoinToken();
  const lines = first.stdout.split('\n');
  const token = lines[0];
  assert.match(token, /^dnj1\.[A-Za-z0-9_-]+$/);
  assert.equal(lines[1], '');
  assert.equal(lines[2], 'Join a new node with (the environment keeps secrets out of ps):');
  assert.equal(lines[3], `  DNOTIFIER_JOIN='${token}' dnotifier-node`);
  const fingerprint = lines[4].match(/^Cluster fingerprint: (c[0-9a-f]{32})$/)?.[1];
  assert.ok(fingerprint, first.stdout);
  assert.match(lines[5], /^Expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // The node's default app, which a joining node must share.
  const app = JSON.parse(fs.readFileSync(path.join(dataDir, 'default-app.json'), 'utf8'));
  assert.equal(lines[8], `  DNOTIFIER_APP_ID=${app.id} DNOTIFIER_APP_KEY=${app.key} DNOTIFIER_APP_SECRET=${app.secret}`);

  const payload = JSON.parse(Buffer.from(token.slice('dnj1.'.length), 'base64url').toString('utf8'));
  assert.deepEqual(Object.keys(payload).sort(), ['a', 'c', 'e', 'm', 's']);
  assert.equal(payload.c, fingerprint);
  const stored = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8'));
  assert.equal(Buffer.from(payload.s, 'base64url').toString('utf8'), stored.secret);
  assert.equal(payload.a.length, 1);
  assert.match(payload.a[0], /^127\.0\.0\.1:\d+$/, 'the default seed is the peer host and port');
  assert.ok(Number.isInteger(payload.e) && Math.abs(payload.e - (first.now + 600)) <= 5, `e=${payload.e}`);
  assert.equal(lines[5], `Expires: ${new Date(payload.e * 1000).toISOString().replace('.000Z', 'Z')}`);
  const mac = crypto.createHmac('sha256', Buffer.from(payload.s, 'base64url')).update(`dnotifier join\n${payload.e}`).digest();
  assert.equal(payload.m, mac.toString('base64url'));

  const second = runJoinToken();
  assert.equal(second.stdout.split('\n')[4], `Cluster fingerprint: ${fingerprint}`);
});

test('SIGTERM closes Pusher clients with 4200 and Centrifuge clients with 3001, then exits 0', async () => {
  const WebSocket = require('ws');
  const home = tempDir();
  const child = spawn(BIN, ['--port', '0', '--peer-port', '0', '--data-dir', path.join(home, 'data'), '--app-key', 'k1',
    '--app-id', '5', '--app-secret', 's1'], { env: cleanEnv(home) });
  running.add(child);
  let stdout = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no banner')), 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(LISTEN_RE);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const pusher = new WebSocket(`ws://127.0.0.1:${port}/app/k1?protocol=7`);
  await new Promise((resolve) => pusher.on('message', resolve));
  const pusherClosed = new Promise((resolve) => pusher.on('close', (code) => resolve(code)));
  // A Centrifuge socket that has not sent connect yet must still be told the server goes away.
  const centrifuge = new WebSocket(`ws://127.0.0.1:${port}/connection/websocket`);
  await new Promise((resolve) => centrifuge.on('open', resolve));
  const centrifugeClosed = new Promise((resolve) => centrifuge.on('close', (code) => resolve(code)));

  child.kill('SIGTERM');
  assert.equal(await pusherClosed, 4200);
  assert.equal(await centrifugeClosed, 3001);
  assert.deepEqual(await exited, { code: 0, signal: null });
  running.delete(child);
});

// docs/configuration.md documents every key the node accepts: the node's own error for an
// unknown key lists the allowed ones, at the top level, in an app and in a namespace.
test('check-config: the configuration reference names every key the node accepts', () => {
  const home = tempDir();
  const reference = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
  const places = [
    { __unknown: 1 },
    { app: { __unknown: 1 } },
    { app: { namespaces: [{ name: 'n', __unknown: 1 }] } },
  ];
  for (const config of places) {
    const file = path.join(home, 'unknown.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const result = runOnce(['check-config', '--config', file, '--data-dir', path.join(home, 'data')], cleanEnv(home));
    assert.equal(result.status, 2, result.stderr);
    const allowed = /are: (.*)$/m.exec(result.stderr);
    assert.ok(allowed, result.stderr);
    const keys = allowed[1].split(', ');
    assert.ok(keys.length > 3, result.stderr);
    for (const key of keys) assert.ok(reference.includes(`\`${key}\``), `docs/configuration.md documents \`${key}\``);
  }
  assert.equal(fs.existsSync(path.join(home, 'data')), false, 'check-config creates nothing');
});
