'use strict';

// Connection tokens signed with public-key algorithms: an app's token_key_file holds a PEM
// public key or a JWKS document; token_audience and token_issuer are checked when set. The
// HS256 secret keeps working beside them. Tokens are made with jose, independently of the node.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const WebSocket = require('ws');
const { useNode } = require('./lib/node');

const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnotifier-keys-'));
after(() => fs.rmSync(keyDir, { recursive: true, force: true }));

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pemFile = path.join(keyDir, 'rsa.pem');
fs.writeFileSync(pemFile, rsa.publicKey.export({ type: 'spki', format: 'pem' }));
const jwksFile = path.join(keyDir, 'keys.json');
fs.writeFileSync(jwksFile, JSON.stringify({
  keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' }],
}));

const node = useNode({
  app: { token_key_file: pemFile, token_audience: 'chat-app', token_issuer: 'https://auth.example' },
  apps: [{ id: '202', key: 'key2', secret: 'secret2', token_key_file: jwksFile }],
}, 'keys');

async function token(claims, alg, key, kid) {
  const { SignJWT } = await import('jose');
  const header = kid ? { alg, kid } : { alg };
  return new SignJWT(claims).setProtectedHeader(header).setIssuedAt()
    .setExpirationTime('10m').sign(key);
}

// Sends connect and resolves with the reply frame, or the close code if the node closes first.
function connectWith(tokenText, appKey) {
  const query = appKey ? `?app_key=${appKey}` : '';
  const ws = new WebSocket(`ws://127.0.0.1:${node.port}/connection/websocket${query}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to connect')), 5000);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, connect: { token: tokenText, name: 'js' } })));
    ws.on('message', (data) => {
      clearTimeout(timer);
      resolve({ reply: JSON.parse(String(data).split('\n')[0]) });
      ws.close();
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ closed: code });
    });
    ws.on('error', () => {});
  });
}

const good = { sub: 'u1', aud: 'chat-app', iss: 'https://auth.example' };

test('an RS256 token from the PEM key with the configured audience and issuer connects', async () => {
  const { reply } = await connectWith(await token(good, 'RS256', rsa.privateKey));
  assert.equal(reply.id, 1);
  assert.match(reply.connect.client, /^[0-9a-f-]{36}$/);
});

test('an HS256 token with the app secret still connects beside the public key', async () => {
  const secret = new TextEncoder().encode(node.app.secret);
  const { reply } = await connectWith(await token(good, 'HS256', secret));
  assert.ok(reply.connect, JSON.stringify(reply));
});

test('a wrong audience, a wrong issuer or a token signed by another key is closed with 3500', async () => {
  const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cases = [
    await token({ ...good, aud: 'other-app' }, 'RS256', rsa.privateKey),
    await token({ ...good, iss: 'https://evil.example' }, 'RS256', rsa.privateKey),
    await token({ sub: 'u1' }, 'RS256', rsa.privateKey),
    await token(good, 'RS256', stranger.privateKey),
  ];
  for (const text of cases) {
    assert.deepEqual(await connectWith(text), { closed: 3500 });
  }
});

test('an HS256 token signed with the public key as its secret (key confusion) is refused', async () => {
  const pem = fs.readFileSync(pemFile);
  assert.deepEqual(await connectWith(await token(good, 'HS256', pem)), { closed: 3500 });
});

test('ES256 tokens verify against a JWKS, picked by kid, for the app chosen by app_key', async () => {
  const ok = await connectWith(await token({ sub: 'u2' }, 'ES256', ec.privateKey, 'ec-1'), 'key2');
  assert.ok(ok.reply && ok.reply.connect, JSON.stringify(ok));
  const unknownKid = await connectWith(await token({ sub: 'u2' }, 'ES256', ec.privateKey, 'ec-9'), 'key2');
  assert.deepEqual(unknownKid, { closed: 3500 });
  const wrongApp = await connectWith(await token({ sub: 'u2' }, 'ES256', ec.privateKey, 'ec-1'));
  assert.deepEqual(wrongApp, { closed: 3500 });
});

test('a token key file that cannot be read or holds no key stops the start with a clear message', () => {
  const bin = process.env.DNOTIFIER_NODE_BIN;
  const cases = [
    { file: path.join(keyDir, 'missing.pem'), words: ['token_key_file', 'missing.pem', 'cannot be read'] },
    { file: path.join(keyDir, 'junk.pem'), words: ['token_key_file', 'junk.pem', 'no usable key'] },
  ];
  fs.writeFileSync(path.join(keyDir, 'junk.pem'), 'not a key\n');
  for (const { file, words } of cases) {
    const config = path.join(keyDir, 'bad.json');
    fs.writeFileSync(config, JSON.stringify({ app: { id: '1', key: 'k', secret: 's', token_key_file: file } }));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DNOTIFIER_')));
    const result = spawnSync(bin, ['--config', config, '--data-dir', path.join(keyDir, 'data'), '--port', '0', '--peer-port', '0', '--admin-port', '0'],
      { env, encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 2, result.stderr);
    for (const word of words) assert.ok(result.stderr.includes(word), `${word} in: ${result.stderr}`);
  }
});
