// Makes the JWT test vectors for tst_jwt with the `jose` npm package and Node's crypto, so
// that the tokens the tests verify come from code independent of ours. Run once, by hand;
// the unit test only reads the committed output (vectors.json, jwks.json):
//
//   mkdir /tmp/jwt-vectors && cp make-vectors.mjs /tmp/jwt-vectors && cd /tmp/jwt-vectors
//   npm install jose && node make-vectors.mjs /path/to/tests/unit/common/data/jwt
//
// Last run with jose 6.2.19 on Node 20. The keys beside this file were made with
// `openssl genpkey` (RSA 2048 and 1024, EC P-256 and P-384, Ed25519)
// and serve only these tests. ES256 and PS256 signatures are randomised, so a new run
// changes those tokens; every other token is reproduced byte for byte.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompactSign, SignJWT, UnsecuredJWT, exportJWK, importPKCS8 } from 'jose';

const dir = process.argv[2];
const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
const encoder = new TextEncoder();

// The shared secret of the HS* vectors; tst_jwt.cpp holds the same string.
const secret = encoder.encode('dnotifier-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-HS512');

// Fixed claims, keys in sorted order so that Qt's compact JSON of the same object matches.
const now = 1700000000;
const base = {
    aud: 'dnotifier',
    exp: now + 3600,
    iat: now,
    info: { name: 'Ada' },
    iss: 'https://auth.example.test',
    nbf: now,
    sub: 'user-42',
};

const b64u = (data) => Buffer.from(data).toString('base64url');
const hmac = (hash, key, input) => crypto.createHmac(hash, key).update(input).digest();

async function compact(alg, key, claims, extraHeader = {}) {
    const header = { alg, ...extraHeader, typ: 'JWT' };
    return new CompactSign(encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader(header)
        .sign(key);
}

// A token whose header and payload are given as raw text, signed HS256 with Node's crypto:
// for headers and payloads jose rightly refuses to produce.
function rawHs256(headerText, payloadText) {
    const input = `${b64u(headerText)}.${b64u(payloadText)}`;
    return `${input}.${b64u(hmac('sha256', secret, input))}`;
}

const keys = {
    rsaA: await importPKCS8(read('rsa-a.key.pem'), 'RS256', { extractable: true }),
    rsaB: await importPKCS8(read('rsa-b.key.pem'), 'RS256', { extractable: true }),
    ecA: await importPKCS8(read('ec-a.key.pem'), 'ES256', { extractable: true }),
    ecB: await importPKCS8(read('ec-b.key.pem'), 'ES256', { extractable: true }),
    rsaA384: await importPKCS8(read('rsa-a.key.pem'), 'RS384'),
    rsaAPss: await importPKCS8(read('rsa-a.key.pem'), 'PS256'),
    ed: await importPKCS8(read('ed25519.key.pem'), 'EdDSA'),
};

// The JWKS: both RSA and both EC public keys, as jose exports them, with ids.
const jwk = async (name, kid, alg) => ({
    ...(await exportJWK(crypto.createPublicKey(read(name)))), kid, alg, use: 'sig' });
const jwks = { keys: [
    await jwk('rsa-a.pub.pem', 'rsa-a', 'RS256'),
    await jwk('rsa-b.pub.pem', 'rsa-b', 'RS256'),
    await jwk('ec-a.pub.pem', 'ec-a', 'ES256'),
    await jwk('ec-b.pub.pem', 'ec-b', 'ES256'),
] };
fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify(jwks, null, 1) + '\n');

const v = {};

// Every supported algorithm, with and without a key id.
v.hs256 = await compact('HS256', secret, base);
v.hs384 = await compact('HS384', secret, base);
v.hs512 = await compact('HS512', secret, base);
v.hs256Kid = await compact('HS256', secret, base, { kid: 'hmac-1' });
v.rs256A = await compact('RS256', keys.rsaA, base, { kid: 'rsa-a' });
v.rs256B = await compact('RS256', keys.rsaB, base, { kid: 'rsa-b' });
v.rs256ANoKid = await compact('RS256', keys.rsaA, base);
v.rs256BNoKid = await compact('RS256', keys.rsaB, base);
v.es256A = await compact('ES256', keys.ecA, base, { kid: 'ec-a' });
v.es256B = await compact('ES256', keys.ecB, base, { kid: 'ec-b' });
v.es256ANoKid = await compact('ES256', keys.ecA, base);

// The same claims through jose's JWT builder, whose serialisation differs from ours.
v.rs256JoseBuilder = await new SignJWT({ info: { name: 'Ada' } })
    .setProtectedHeader({ alg: 'RS256', kid: 'rsa-a' })
    .setSubject('user-42').setIssuer(base.iss).setAudience(['other', 'dnotifier'])
    .setIssuedAt(base.iat).setNotBefore(base.nbf).setExpirationTime(base.exp)
    .sign(keys.rsaA);

// Key selection.
v.rs256BLabelledA = await compact('RS256', keys.rsaB, base, { kid: 'rsa-a' });
v.rs256UnknownKid = await compact('RS256', keys.rsaA, base, { kid: 'rsa-z' });
v.es256BLabelledA = await compact('ES256', keys.ecB, base, { kid: 'ec-a' });

// ES256 with the DER signature OpenSSL would produce instead of JWS's raw r||s.
{
    const input = `${b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64u(JSON.stringify(base))}`;
    const der = crypto.sign('sha256', Buffer.from(input), {
        key: read('ec-a.key.pem'), dsaEncoding: 'der' });
    v.es256DerSignature = `${input}.${b64u(der)}`;
}

// Key confusion: HS256 keyed with the bytes of a public key PEM.
v.hs256KeyedWithRsaPublicPem = await compact('HS256', encoder.encode(read('rsa-a.pub.pem')), base);
v.hs256KeyedWithRsaPkcs1Pem = await compact('HS256', encoder.encode(read('rsa-a.pkcs1.pub.pem')), base);
v.hs256KeyedWithEcPublicPem = await compact('HS256', encoder.encode(read('ec-a.pub.pem')), base);
v.hs256KeyedWithJwksText = await compact('HS256', encoder.encode(read('jwks.json')), base);

// alg none and friends.
v.noneJose = new UnsecuredJWT(base).encode();
v.noneCapitalised = `${b64u('{"alg":"None","typ":"JWT"}')}.${b64u(JSON.stringify(base))}.`;
v.noneUpper = `${b64u('{"alg":"NONE","typ":"JWT"}')}.${b64u(JSON.stringify(base))}.`;
v.noneWithHmacSignature = rawHs256('{"alg":"none","typ":"JWT"}', JSON.stringify(base));

// Algorithms we do not support, each validly signed.
v.rs384 = await compact('RS384', keys.rsaA384, base, { kid: 'rsa-a' });
v.ps256 = await compact('PS256', keys.rsaAPss, base, { kid: 'rsa-a' });
v.edDsa = await compact('EdDSA', keys.ed, base);
v.lowerCaseHs256 = rawHs256('{"alg":"hs256","typ":"JWT"}', JSON.stringify(base));

// Headers and payloads that are not what they must be.
v.headerArray = rawHs256('["HS256"]', JSON.stringify(base));
v.headerNotJson = rawHs256('alg=HS256', JSON.stringify(base));
v.headerWithoutAlg = rawHs256('{"typ":"JWT"}', JSON.stringify(base));
v.headerAlgNumber = rawHs256('{"alg":256}', JSON.stringify(base));
v.headerKidNumber = rawHs256('{"alg":"HS256","kid":7}', JSON.stringify(base));
v.headerCrit = rawHs256('{"alg":"HS256","crit":["http://example.test/x"],"http://example.test/x":1}', JSON.stringify(base));
v.payloadArray = rawHs256('{"alg":"HS256"}', '[1,2,3]');
v.payloadNotJson = rawHs256('{"alg":"HS256"}', 'user-42');
v.payloadEmpty = rawHs256('{"alg":"HS256"}', '');

// Claims.
const without = (...names) => Object.fromEntries(Object.entries(base).filter(([k]) => !names.includes(k)));
v.noExp = await compact('HS256', secret, without('exp'));
v.noTimes = await compact('HS256', secret, without('exp', 'nbf', 'iat'));
v.expString = await compact('HS256', secret, { ...base, exp: String(base.exp) });
v.nbfNull = await compact('HS256', secret, { ...base, nbf: null });
v.iatString = await compact('HS256', secret, { ...base, iat: 'yesterday' });
v.iatLater = await compact('HS256', secret, { ...without('nbf'), iat: now + 100 });
v.fractionalTimes = await compact('HS256', secret, { ...base, exp: now + 3600.5, nbf: now - 0.5, iat: now - 0.5 });
v.audArray = await compact('HS256', secret, { ...base, aud: ['other', 'dnotifier'] });
v.audOtherArray = await compact('HS256', secret, { ...base, aud: ['other', 'another'] });
v.audOther = await compact('HS256', secret, { ...base, aud: 'other' });
v.audNumber = await compact('HS256', secret, { ...base, aud: 42 });
v.audArrayWithNumber = await compact('HS256', secret, { ...base, aud: ['dnotifier', 42] });
v.noAud = await compact('HS256', secret, without('aud'));
v.issOther = await compact('HS256', secret, { ...base, iss: 'https://evil.example.test' });
v.issNumber = await compact('HS256', secret, { ...base, iss: 1 });
v.noIss = await compact('HS256', secret, without('iss'));
v.subNumber = await compact('HS256', secret, { ...base, sub: 42 });
v.noSub = await compact('HS256', secret, without('sub'));

fs.writeFileSync(path.join(dir, 'vectors.json'), JSON.stringify(v, null, 1) + '\n');
