'use strict';

// A minimal CBOR (RFC 8949) encoder and decoder for talking to a node's peer port by hand:
// maps, arrays, text and byte strings, unsigned and negative integers (Number or BigInt),
// booleans and null. Enough for the peer protocol and for building hostile input; not a
// general-purpose library (no floats on the encoding side, no indefinite lengths, tags are
// skipped when decoding).
//
//   encode(value) -> Buffer
//     Number (integer) / BigInt -> major type 0 or 1
//     string                     -> text string (major 3)
//     Buffer / Uint8Array        -> byte string (major 2)
//     Array                      -> array (major 4)
//     Map / plain object         -> map (major 5); object keys are text
//     true / false / null        -> simple values
//     raw(buffer)                -> the bytes as they are (pre-encoded or deliberately broken)
//
//   decode(buffer) -> value      (maps become plain objects when all keys are text, else Map;
//                                 integers outside the safe range become BigInt)

class Raw {
  constructor(bytes) {
    this.bytes = Buffer.from(bytes);
  }
}

const raw = (bytes) => new Raw(bytes);

// The initial byte(s) of an item: major type and argument, in the shortest form.
function head(major, argument) {
  const value = BigInt(argument);
  if (value < 0n || value > 0xffffffffffffffffn) throw new RangeError(`CBOR argument out of range: ${argument}`);
  const m = major << 5;
  if (value < 24n) return Buffer.from([m | Number(value)]);
  if (value <= 0xffn) return Buffer.from([m | 24, Number(value)]);
  if (value <= 0xffffn) {
    const b = Buffer.alloc(3);
    b[0] = m | 25;
    b.writeUInt16BE(Number(value), 1);
    return b;
  }
  if (value <= 0xffffffffn) {
    const b = Buffer.alloc(5);
    b[0] = m | 26;
    b.writeUInt32BE(Number(value), 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = m | 27;
  b.writeBigUInt64BE(value, 1);
  return b;
}

function encodeInto(value, out) {
  if (value instanceof Raw) {
    out.push(value.bytes);
  } else if (value === false) {
    out.push(Buffer.from([0xf4]));
  } else if (value === true) {
    out.push(Buffer.from([0xf5]));
  } else if (value === null) {
    out.push(Buffer.from([0xf6]));
  } else if (typeof value === 'bigint' || typeof value === 'number') {
    if (typeof value === 'number' && !Number.isInteger(value)) throw new TypeError(`not an integer: ${value}`);
    const n = BigInt(value);
    out.push(n >= 0n ? head(0, n) : head(1, -1n - n));
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(head(3, bytes.length), bytes);
  } else if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    out.push(head(2, value.length), Buffer.from(value));
  } else if (Array.isArray(value)) {
    out.push(head(4, value.length));
    for (const item of value) encodeInto(item, out);
  } else if (value instanceof Map) {
    out.push(head(5, value.size));
    for (const [k, v] of value) {
      encodeInto(k, out);
      encodeInto(v, out);
    }
  } else if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    out.push(head(5, entries.length));
    for (const [k, v] of entries) {
      encodeInto(k, out);
      encodeInto(v, out);
    }
  } else {
    throw new TypeError(`cannot encode ${typeof value}`);
  }
}

function encode(value) {
  const out = [];
  encodeInto(value, out);
  return Buffer.concat(out);
}

class Decoder {
  constructor(buffer) {
    this.b = buffer;
    this.at = 0;
  }

  need(n) {
    if (this.at + n > this.b.length) throw new Error('CBOR: truncated');
  }

  argument(info) {
    if (info < 24) return BigInt(info);
    const sizes = { 24: 1, 25: 2, 26: 4, 27: 8 };
    const size = sizes[info];
    if (size === undefined) throw new Error(`CBOR: unsupported additional info ${info}`);
    this.need(size);
    let v;
    if (size === 1) v = BigInt(this.b[this.at]);
    else if (size === 2) v = BigInt(this.b.readUInt16BE(this.at));
    else if (size === 4) v = BigInt(this.b.readUInt32BE(this.at));
    else v = this.b.readBigUInt64BE(this.at);
    this.at += size;
    return v;
  }

  static number(big) {
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  item() {
    this.need(1);
    const initial = this.b[this.at++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      if (info === 23) return undefined;
      if (info === 25 || info === 26 || info === 27) {
        const size = { 25: 2, 26: 4, 27: 8 }[info];
        this.need(size);
        const v = size === 2 ? NaN : size === 4 ? this.b.readFloatBE(this.at) : this.b.readDoubleBE(this.at);
        this.at += size;
        return v;
      }
      throw new Error(`CBOR: unsupported simple value ${info}`);
    }
    const arg = this.argument(info);
    switch (major) {
      case 0:
        return Decoder.number(arg);
      case 1:
        return Decoder.number(-1n - arg);
      case 2:
      case 3: {
        const n = Number(arg);
        this.need(n);
        const bytes = this.b.subarray(this.at, this.at + n);
        this.at += n;
        return major === 2 ? Buffer.from(bytes) : bytes.toString('utf8');
      }
      case 4: {
        const out = [];
        for (let i = 0n; i < arg; ++i) out.push(this.item());
        return out;
      }
      case 5: {
        const entries = [];
        for (let i = 0n; i < arg; ++i) entries.push([this.item(), this.item()]);
        return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : new Map(entries);
      }
      case 6:
        return this.item(); // a tag: keep the tagged value
      default:
        throw new Error(`CBOR: unsupported major type ${major}`);
    }
  }
}

function decode(buffer) {
  const decoder = new Decoder(buffer);
  const value = decoder.item();
  if (decoder.at !== buffer.length) throw new Error('CBOR: trailing bytes');
  return value;
}

module.exports = { encode, decode, raw, head };
