'use strict';
/*
 * chdb-front: a TEST-ONLY HTTP front that EMULATES ClickHouse's HTTP protocol over the real ClickHouse 26.x engine
 * that the npm package "chdb" runs in-process. It is not a ClickHouse server: nothing here is ClickHouse's own
 * HTTP handler. Status codes, headers, compression, retries, authentication and timing seen through it describe
 * this script, not ClickHouse. Use it to test what the engine does with SQL and data (types such as DateTime64 and
 * LowCardinality, insert deduplication), never to test a client's error handling or retries.
 *
 * Usage: node chdb-front.js <port> <data-dir>   (listens on 127.0.0.1 only; "chdb" must be resolvable, e.g. through
 * NODE_PATH=<dir>/node_modules). io.syncer.test.ChdbServer starts it; see that class for the Java side. With the
 * environment variable CHDB_FRONT_TRACE=1 it prints one line per request (method, URL, status, body sizes); with
 * CHDB_FRONT_EXIT_ON_STDIN_EOF=1 it stops when its standard input ends (the parent process died).
 *
 * What it does:
 * - one persistent chdb Session on <data-dir>; requests are executed one at a time, in arrival order;
 * - GET /ping, GET / (without a query) and GET /replicas_status answer "Ok.\n"; other paths answer 404;
 * - the statement is the "query" URL parameter followed by a newline and the request body, as in ClickHouse; an
 *   INSERT ... FORMAT <fmt> takes everything after the format name (and one line break) as its data, which is
 *   written to a temporary file and inserted with INSERT ... FROM INFILE ... FORMAT <fmt>, so binary formats such as
 *   RowBinary arrive intact;
 * - the output format is the statement's own FORMAT clause, else the X-ClickHouse-Format header, else the
 *   default_format parameter, else TabSeparated;
 * - param_<name> parameters are bound server-side to {name:Type} placeholders;
 * - the database parameter or the X-ClickHouse-Database header picks the current database for one request;
 * - every other URL parameter is a ClickHouse setting: it is SET before the statement and SET back to DEFAULT after
 *   it, so it lasts for one request (insert_deduplication_token, async_insert, ...);
 * - request bodies may be sent with Content-Encoding gzip, deflate or br, and with decompress=1 in ClickHouse's
 *   native block framing (LZ4 or no compression; the CityHash128 checksums are checked);
 * - compress=1 answers in ClickHouse's native block framing (one LZ4 block of literals per 1 MiB, with correct
 *   CityHash128 checksums);
 * - replies carry X-ClickHouse-Summary (written_rows counts the rows an INSERT read, as ClickHouse does, including
 *   rows of a block that deduplication then dropped), X-ClickHouse-Format, X-ClickHouse-Timezone,
 *   X-ClickHouse-Query-Id and X-ClickHouse-Server-Display-Name; errors carry X-ClickHouse-Exception-Code, a body
 *   "Code: N. DB::Exception: ... (version ...)" and the HTTP status ClickHouse maps that error's name to
 *   (400, 404, 501, ...; 500 otherwise).
 *
 * What it does not do: authentication (any user and password are accepted), sessions (session_id is ignored and
 * a SET or USE statement sent as a query outlasts its request, because there is one engine connection),
 * multi-statement rejection (chdb runs "SELECT 1; SELECT 2"), progress headers, cancellation, timeouts, GET's
 * read-only mode, streaming (bodies and results are buffered in memory), zstd framing.
 */

const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const zlib = require('zlib');
const { Session } = require('chdb');

const trace = process.env.CHDB_FRONT_TRACE === '1';
const port = Number(process.argv[2]);
const dataDir = process.argv[3];
if (!Number.isInteger(port) || port <= 0 || port > 65535 || !dataDir) {
  console.error('usage: node chdb-front.js <port> <data-dir>');
  process.exit(2);
}
fs.mkdirSync(dataDir, { recursive: true });
const session = new Session(dataDir);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chdb-front-'));
let fileCounter = 0;

/** URL parameters that are protocol options, not settings. */
const NOT_SETTINGS = new Set(['query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout',
  'session_check', 'compress', 'decompress', 'user', 'password', 'quota_key', 'buffer_size', 'wait_end_of_query',
  'role', 'stacktrace', 'client_protocol_version', 'http_native_compression_disable_checksumming_on_decompress']);

/** ClickHouse's mapping of error names to HTTP statuses (see its exceptionCodeToHTTPStatus); 500 otherwise. */
const STATUS_BY_ERROR = new Map();
for (const name of ['REQUIRED_PASSWORD']) STATUS_BY_ERROR.set(name, 401);
for (const name of ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE',
  'ACCESS_DENIED']) STATUS_BY_ERROR.set(name, 403);
for (const name of ['BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING', 'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4', 'CANNOT_PARSE_IPV6',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
  'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE', 'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE']) STATUS_BY_ERROR.set(name, 400);
for (const name of ['UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE', 'UNKNOWN_SETTING', 'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT', 'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY', 'UNKNOWN_ROLE']) STATUS_BY_ERROR.set(name, 404);
STATUS_BY_ERROR.set('QUERY_IS_TOO_LARGE', 413);
STATUS_BY_ERROR.set('NOT_IMPLEMENTED', 501);
STATUS_BY_ERROR.set('SOCKET_TIMEOUT', 503);
STATUS_BY_ERROR.set('CANNOT_OPEN_FILE', 503);
STATUS_BY_ERROR.set('CANNOT_SCHEDULE_TASK', 503);
STATUS_BY_ERROR.set('HTTP_LENGTH_REQUIRED', 411);
STATUS_BY_ERROR.set('TIMEOUT_EXCEEDED', 408);
STATUS_BY_ERROR.set('UNSUPPORTED_MEDIA_TYPE', 415);

/** INSERT INTO <table> [(<columns>)] [SETTINGS ...] FORMAT <name>, at the start of a statement. */
const INSERT_WITH_FORMAT = /^\s*INSERT\s+INTO\s+(?:TABLE\s+)?((?:`[^`]*`|"[^"]*"|[A-Za-z0-9_.])+(?:\s*\([^()]*\))?)(?:\s+SETTINGS\s+([^()]*?))?\s+FORMAT\s+([A-Za-z0-9_]+)/i;
/** A statement's own trailing FORMAT clause. */
const TRAILING_FORMAT = /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i;
const STARTS_WITH_INSERT = /^\s*(?:\/\*[^]*?\*\/\s*|--[^\n]*\n\s*)*INSERT\b/i;

/** Errors of the front itself, shaped like the engine's. */
class FrontError extends Error {
  constructor(code, name, message) {
    super(`Code: ${code}. DB::Exception: ${message}. (${name})`);
    this.clickhouseCode = code;
  }
}

// ---- serialization: one statement at a time on the one engine connection -------------------------------------
let queue = Promise.resolve();
function serialized(task) {
  const run = queue.then(task, task);
  queue = run.then(() => undefined, () => undefined);
  return run;
}

// ---- ClickHouse native compression framing (CityHash128 v1.0.2 checksums, LZ4 blocks) -------------------------
const MASK64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;
const K3 = 0xc949d7c7509e6557n;
const KMUL = 0x9ddfea08eb382d69n;
const mul = (a, b) => (a * b) & MASK64;
const add = (...xs) => xs.reduce((a, b) => (a + b) & MASK64, 0n);
const rotate = (v, shift) => (shift === 0n ? v : ((v >> shift) | (v << (64n - shift))) & MASK64);
const shiftMix = (v) => v ^ (v >> 47n);
const fetch64 = (b, i) => b.readBigUInt64LE(i);
const fetch32 = (b, i) => BigInt(b.readUInt32LE(i));
function hash128to64(low, high) {
  let a = mul(low ^ high, KMUL);
  a ^= a >> 47n;
  let b = mul(high ^ a, KMUL);
  b ^= b >> 47n;
  return mul(b, KMUL);
}
const hashLen16 = (u, v) => hash128to64(u, v);
function hashLen0to16(s, pos, len) {
  if (len > 8) {
    const a = fetch64(s, pos);
    const b = fetch64(s, pos + len - 8);
    return hashLen16(a, rotate(add(b, BigInt(len)), BigInt(len))) ^ b;
  }
  if (len >= 4) {
    const a = fetch32(s, pos);
    return hashLen16(add(BigInt(len), a << 3n), fetch32(s, pos + len - 4));
  }
  if (len > 0) {
    const a = BigInt(s[pos]);
    const b = BigInt(s[pos + (len >> 1)]);
    const c = BigInt(s[pos + len - 1]);
    const y = a + (b << 8n);
    const z = BigInt(len) + (c << 2n);
    return mul(shiftMix(mul(y, K2) ^ mul(z, K3)), K2);
  }
  return K2;
}
function weakHashLen32WithSeeds(s, pos, a, b) {
  const w = fetch64(s, pos);
  const x = fetch64(s, pos + 8);
  const y = fetch64(s, pos + 16);
  const z = fetch64(s, pos + 24);
  a = add(a, w);
  b = rotate(add(b, a, z), 21n);
  const c = a;
  a = add(a, x, y);
  b = add(b, rotate(a, 44n));
  return [add(a, z), add(b, c)];
}
function cityMurmur(s, pos, len, seedLow, seedHigh) {
  let a = seedLow;
  let b = seedHigh;
  let c;
  let d;
  let l = len - 16;
  if (l <= 0) {
    a = mul(shiftMix(mul(a, K1)), K1);
    c = add(mul(b, K1), hashLen0to16(s, pos, len));
    d = shiftMix(add(a, len >= 8 ? fetch64(s, pos) : c));
  } else {
    c = hashLen16(add(fetch64(s, pos + len - 8), K1), a);
    d = hashLen16(add(b, BigInt(len)), add(c, fetch64(s, pos + len - 16)));
    a = add(a, d);
    do {
      a ^= mul(shiftMix(mul(fetch64(s, pos), K1)), K1);
      a = mul(a, K1);
      b ^= a;
      c ^= mul(shiftMix(mul(fetch64(s, pos + 8), K1)), K1);
      c = mul(c, K1);
      d ^= c;
      pos += 16;
      l -= 16;
    } while (l > 0);
  }
  a = hashLen16(a, c);
  b = hashLen16(d, b);
  return [a ^ b, hashLen16(b, a)];
}
function cityHash128WithSeed(s, pos, len, seedLow, seedHigh) {
  if (len < 128) {
    return cityMurmur(s, pos, len, seedLow, seedHigh);
  }
  let v = [0n, 0n];
  let w = [0n, 0n];
  let x = seedLow;
  let y = seedHigh;
  let z = mul(BigInt(len), K1);
  v[0] = add(mul(rotate(y ^ K1, 49n), K1), fetch64(s, pos));
  v[1] = add(mul(rotate(v[0], 42n), K1), fetch64(s, pos + 8));
  w[0] = add(mul(rotate(add(y, z), 35n), K1), x);
  w[1] = mul(rotate(add(x, fetch64(s, pos + 88)), 53n), K1);
  const round = () => {
    x = mul(rotate(add(x, y, v[0], fetch64(s, pos + 16)), 37n), K1);
    y = mul(rotate(add(y, v[1], fetch64(s, pos + 48)), 42n), K1);
    x ^= w[1];
    y ^= v[0];
    z = rotate(z ^ w[0], 33n);
    v = weakHashLen32WithSeeds(s, pos, mul(v[1], K1), add(x, w[0]));
    w = weakHashLen32WithSeeds(s, pos + 32, add(z, w[1]), y);
    [z, x] = [x, z];
    pos += 64;
  };
  do {
    round();
    round();
    len -= 128;
  } while (len >= 128);
  y = add(y, mul(rotate(w[0], 37n), K0), z);
  x = add(x, mul(rotate(add(v[0], z), 49n), K0));
  for (let tailDone = 0; tailDone < len;) {
    tailDone += 32;
    y = add(mul(rotate((y - x) & MASK64, 42n), K0), v[1]);
    w[0] = add(w[0], fetch64(s, pos + len - tailDone + 16));
    x = add(mul(rotate(x, 49n), K0), w[0]);
    w[0] = add(w[0], v[0]);
    v = weakHashLen32WithSeeds(s, pos + len - tailDone, v[0], v[1]);
  }
  x = hashLen16(x, v[0]);
  y = hashLen16(y, w[0]);
  return [add(hashLen16(add(x, v[1]), w[1]), y), hashLen16(add(x, w[1]), add(y, v[1]))];
}
/** CityHash128 (v1.0.2, as ClickHouse uses it) of s[pos, pos + len): [low, high]. */
function cityHash128(s, pos, len) {
  if (len >= 16) {
    return cityHash128WithSeed(s, pos + 16, len - 16, fetch64(s, pos) ^ K3, fetch64(s, pos + 8));
  }
  if (len >= 8) {
    return cityHash128WithSeed(Buffer.alloc(0), 0, 0, fetch64(s, pos) ^ mul(BigInt(len), K0),
      fetch64(s, pos + len - 8) ^ K1);
  }
  return cityHash128WithSeed(s, pos, len, K0, K1);
}

const METHOD_NONE = 0x02;
const METHOD_LZ4 = 0x82;
const METHOD_ZSTD = 0x90;
const BLOCK_HEADER = 9;

/** Decodes one LZ4 block (no frame) into a buffer of the known decompressed size. */
function lz4DecodeBlock(src, size) {
  const dst = Buffer.alloc(size);
  let i = 0;
  let o = 0;
  while (i < src.length) {
    const token = src[i++];
    let literals = token >>> 4;
    if (literals === 15) {
      let b;
      do { b = src[i++]; literals += b; } while (b === 255);
    }
    if (o + literals > size || i + literals > src.length) throw new Error('corrupt LZ4 block (literals)');
    src.copy(dst, o, i, i + literals);
    i += literals;
    o += literals;
    if (i >= src.length) break;
    const offset = src[i] | (src[i + 1] << 8);
    i += 2;
    let length = token & 15;
    if (length === 15) {
      let b;
      do { b = src[i++]; length += b; } while (b === 255);
    }
    length += 4;
    if (offset === 0 || offset > o || o + length > size) throw new Error('corrupt LZ4 block (match)');
    for (let m = o - offset, end = o + length; o < end;) dst[o++] = dst[m++];
  }
  if (o !== size) throw new Error(`corrupt LZ4 block: ${o} of ${size} bytes`);
  return dst;
}

/** Decodes a body in ClickHouse's native compression framing (decompress=1). */
function decodeNativeBlocks(body) {
  const parts = [];
  let pos = 0;
  while (pos < body.length) {
    if (body.length - pos < 16 + BLOCK_HEADER) throw new FrontError(271, 'CANNOT_DECOMPRESS', 'truncated compressed block header');
    const method = body[pos + 16];
    const compressedSize = body.readUInt32LE(pos + 17);
    const size = body.readUInt32LE(pos + 21);
    if (compressedSize < BLOCK_HEADER || pos + 16 + compressedSize > body.length) {
      throw new FrontError(271, 'CANNOT_DECOMPRESS', 'truncated compressed block');
    }
    const [low, high] = cityHash128(body, pos + 16, compressedSize);
    if (low !== fetch64(body, pos) || high !== fetch64(body, pos + 8)) {
      throw new FrontError(40, 'CHECKSUM_DOESNT_MATCH', 'Checksum doesn\'t match: corrupted data');
    }
    const data = body.subarray(pos + 16 + BLOCK_HEADER, pos + 16 + compressedSize);
    if (method === METHOD_LZ4) {
      try {
        parts.push(lz4DecodeBlock(data, size));
      } catch (e) {
        throw new FrontError(271, 'CANNOT_DECOMPRESS', e.message);
      }
    } else if (method === METHOD_NONE) {
      parts.push(data);
    } else if (method === METHOD_ZSTD) {
      throw new FrontError(48, 'NOT_IMPLEMENTED', 'the chdb front (an emulation) cannot decode ZSTD blocks; use LZ4');
    } else {
      throw new FrontError(89, 'UNKNOWN_COMPRESSION_METHOD', `Unknown compression method: ${method}`);
    }
    pos += 16 + compressedSize;
  }
  return Buffer.concat(parts);
}

const RESPONSE_BLOCK = 1 << 20;
/** Encodes bytes in ClickHouse's native framing: LZ4 blocks that hold only literals (valid, not smaller). */
function encodeNativeBlocks(bytes) {
  const parts = [];
  for (let pos = 0; pos < bytes.length; pos += RESPONSE_BLOCK) {
    const chunk = bytes.subarray(pos, Math.min(bytes.length, pos + RESPONSE_BLOCK));
    const lengthBytes = [];
    if (chunk.length >= 15) {
      let rest = chunk.length - 15;
      while (rest >= 255) { lengthBytes.push(255); rest -= 255; }
      lengthBytes.push(rest);
    }
    const token = Math.min(chunk.length, 15) << 4;
    const lz4 = Buffer.concat([Buffer.from([token, ...lengthBytes]), chunk]);
    const block = Buffer.alloc(16 + BLOCK_HEADER + lz4.length);
    block[16] = METHOD_LZ4;
    block.writeUInt32LE(BLOCK_HEADER + lz4.length, 17);
    block.writeUInt32LE(chunk.length, 21);
    lz4.copy(block, 16 + BLOCK_HEADER);
    const [low, high] = cityHash128(block, 16, BLOCK_HEADER + lz4.length);
    block.writeBigUInt64LE(low, 0);
    block.writeBigUInt64LE(high, 8);
    parts.push(block);
  }
  return Buffer.concat(parts);
}

// ---- request handling -------------------------------------------------------------------------------------------
let version = 'unknown';
let timezone = 'UTC';

function quote(value) {
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function quoteIdentifier(name) {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

function contentType(format) {
  const f = format.toLowerCase();
  if (f.startsWith('json')) return 'application/json; charset=UTF-8';
  if (f.startsWith('tabseparated') || f.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (f.startsWith('csv')) return 'text/csv; charset=UTF-8; header=absent';
  if (f.startsWith('rowbinary') || f === 'native' || f.startsWith('arrow') || f === 'parquet') return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}

function decodeContentEncoding(encoding, body) {
  switch ((encoding || '').trim().toLowerCase()) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    default:
      throw new FrontError(89, 'UNKNOWN_COMPRESSION_METHOD',
        `the chdb front (an emulation) cannot decode Content-Encoding ${encoding}`);
  }
}

/** Splits the full statement text (query parameter + newline + body) into SQL and, for INSERT ... FORMAT, data. */
function parseStatement(full) {
  const head = full.subarray(0, Math.min(full.length, 1 << 20)).toString('latin1');
  const match = INSERT_WITH_FORMAT.exec(head);
  if (match) {
    let dataStart = match[0].length;
    while (dataStart < full.length && (full[dataStart] === 0x20 || full[dataStart] === 0x09 || full[dataStart] === 0x0c)) {
      dataStart++;
    }
    if (full[dataStart] !== 0x3b) { // ';' ends the statement: then there is no data to insert
      if (full[dataStart] === 0x0d) dataStart++;
      if (full[dataStart] === 0x0a) dataStart++;
      const utf8 = (s) => Buffer.from(s, 'latin1').toString('utf8');
      return {
        insert: true,
        target: utf8(match[1]),
        insertSettings: match[2] ? utf8(match[2]) : null,
        format: match[3],
        data: full.subarray(dataStart),
      };
    }
  }
  const sql = full.toString('utf8');
  return { insert: STARTS_WITH_INSERT.test(sql), sql };
}

async function insertedCounters() {
  const result = await session.queryAsync(
    "SELECT sumIf(value, event = 'InsertedRows'), sumIf(value, event = 'InsertedBytes') FROM system.events",
    { format: 'TabSeparated' });
  const [rows, bytes] = result.text().trim().split('\t');
  return [BigInt(rows || '0'), BigInt(bytes || '0')];
}

/** Runs one request's statement on the engine. Called under serialized(). */
async function execute(statement, database, settings, params, defaultFormat) {
  await session.queryAsync(`USE ${quoteIdentifier(database)}`);
  const applied = [];
  let file = null;
  try {
    for (const name of Object.keys(settings)) { // one at a time: a failing SET must not leave earlier ones behind
      await session.queryAsync(`SET ${name} = ${quote(settings[name])}`);
      applied.push(name);
    }
    const before = statement.insert ? await insertedCounters() : null;
    let sql;
    let format;
    if (statement.insert && statement.data !== undefined) {
      file = path.join(scratch, `insert-${++fileCounter}.data`);
      fs.writeFileSync(file, statement.data);
      sql = `INSERT INTO ${statement.target} FROM INFILE ${quote(file)}`
        + (statement.insertSettings ? ` SETTINGS ${statement.insertSettings}` : '')
        + ` FORMAT ${statement.format}`;
      format = defaultFormat;
    } else {
      sql = statement.sql;
      const own = TRAILING_FORMAT.exec(sql);
      format = own ? own[1] : defaultFormat;
    }
    const started = process.hrtime.bigint();
    const result = Object.keys(params).length > 0
      ? await session.queryBindAsync(sql, params, { format })
      : await session.queryAsync(sql, { format });
    const elapsedNs = process.hrtime.bigint() - started;
    const bytes = Buffer.from(result.bytes());
    let written = [0n, 0n];
    if (before) {
      const after = await insertedCounters();
      written = [after[0] - before[0], after[1] - before[1]];
    }
    const summary = {
      read_rows: String(statement.insert ? written[0] : result.rowsRead),
      read_bytes: String(statement.insert ? written[1] : result.bytesRead),
      written_rows: String(written[0]),
      written_bytes: String(written[1]),
      total_rows_to_read: '0',
      result_rows: String(statement.insert ? written[0] : result.rowsRead),
      result_bytes: String(statement.insert ? written[1] : result.bytesRead),
      elapsed_ns: String(elapsedNs),
    };
    return { bytes, format, summary };
  } finally {
    if (file) fs.rm(file, { force: true }, () => {});
    if (applied.length > 0) {
      await session.queryAsync('SET ' + applied.map((n) => `${n} = DEFAULT`).join(', ')).catch((error) => {
        console.error('chdb-front: could not reset the settings ' + applied.join(', '), error);
      });
    }
  }
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Where an INFILE insert's message names our temporary file, and the doubled wrapping such inserts add. */
const TEMP_FILE = new RegExp(`\\(in file/uri ${escapeRegExp(scratch)}[^)]*\\)`, 'g');

/** Makes an engine message look like the server's: no temporary file, no doubled code prefix or name suffix. */
function normalizeMessage(message) {
  return message
    .replace(/^(Code: \d+\. DB::Exception: )\1/, '$1')
    .replace(TEMP_FILE, '(in the request body)')
    .replace(/: While executing File: data for INSERT was parsed from file/g, '')
    .replace(/\. \(([A-Z][A-Z0-9_]*)\) \(version [^()]*(?:\([^()]*\))?[^()]*\)\. \(\1\)\s*$/, '. ($1)')
    .replace(/ \(version [^()]*(?:\([^()]*\))?[^()]*\)\s*$/, '');
}

function errorParts(error) {
  const message = normalizeMessage(String(error && error.message ? error.message : error));
  const codeMatch = /^Code: (\d+)\./.exec(message);
  const code = error && Number.isInteger(error.clickhouseCode) ? error.clickhouseCode
    : codeMatch ? Number(codeMatch[1]) : 1001;
  const nameMatch = /\(([A-Z][A-Z0-9_]+)\)\s*$/.exec(message);
  const status = nameMatch && STATUS_BY_ERROR.has(nameMatch[1]) ? STATUS_BY_ERROR.get(nameMatch[1]) : 500;
  const text = codeMatch ? message : `Code: ${code}. DB::Exception: ${message}. (STD_EXCEPTION)`;
  return { code, status, text: `${text} (version ${version})\n` };
}

async function handle(req, res, rawBody) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const params = url.searchParams;
  const queryId = params.get('query_id') || req.headers['x-clickhouse-query-id'] || crypto.randomUUID();
  const compress = params.get('compress') === '1';
  const headers = {
    'X-ClickHouse-Server-Display-Name': 'chdb-front (emulated ClickHouse HTTP protocol)',
    'X-ClickHouse-Query-Id': queryId,
    'X-ClickHouse-Timezone': timezone,
  };
  const send = (status, body, extra) => {
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    if (trace) {
      console.log(`${req.method} ${req.url} -> ${status}, ${rawBody.length} bytes in`
        + `${req.headers['content-encoding'] ? ` (${req.headers['content-encoding']})` : ''}, ${payload.length} out`);
    }
    res.writeHead(status, { ...headers, ...extra, 'Content-Length': payload.length });
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
  const fail = (error) => {
    const { code, status, text } = errorParts(error);
    const body = compress ? encodeNativeBlocks(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8');
    send(status, body, { 'X-ClickHouse-Exception-Code': String(code), 'Content-Type': 'text/plain; charset=UTF-8' });
  };

  if (url.pathname === '/ping' || url.pathname === '/replicas_status'
      || (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD') && !params.has('query')
          && rawBody.length === 0)) {
    send(200, 'Ok.\n', { 'Content-Type': 'text/html; charset=UTF-8' });
    return;
  }
  if (url.pathname !== '/') {
    send(404, `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`
      + 'This is chdb-front, a test-only emulation of the ClickHouse HTTP protocol.\n',
    { 'Content-Type': 'text/plain; charset=UTF-8' });
    return;
  }
  try {
    let body = decodeContentEncoding(req.headers['content-encoding'], rawBody);
    if (params.get('decompress') === '1' && body.length > 0) {
      body = decodeNativeBlocks(body);
    }
    const queryParam = params.get('query');
    const full = queryParam !== null && queryParam.length > 0
      ? Buffer.concat([Buffer.from(queryParam + '\n', 'utf8'), body])
      : body;
    if (full.toString('latin1').trim().length === 0) {
      throw new FrontError(62, 'SYNTAX_ERROR', 'Empty query');
    }
    const statement = parseStatement(full);
    const database = params.get('database') || req.headers['x-clickhouse-database'] || 'default';
    const defaultFormat = req.headers['x-clickhouse-format'] || params.get('default_format') || 'TabSeparated';
    const settings = {};
    const bound = {};
    for (const [name, value] of params) {
      if (name.startsWith('param_')) {
        bound[name.substring('param_'.length)] = value;
      } else if (!NOT_SETTINGS.has(name)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          throw new FrontError(115, 'UNKNOWN_SETTING', `Unknown setting '${name}'`);
        }
        settings[name] = value;
      }
    }
    const result = await serialized(() => execute(statement, database, settings, bound, defaultFormat));
    const body200 = compress ? encodeNativeBlocks(result.bytes) : result.bytes;
    send(200, body200, {
      'Content-Type': contentType(result.format),
      'X-ClickHouse-Format': result.format,
      'X-ClickHouse-Summary': JSON.stringify(result.summary),
    });
  } catch (error) {
    fail(error);
  }
}

// ---- start-up and shutdown ---------------------------------------------------------------------------------------
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('error', () => res.destroy());
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks)).catch((error) => {
      console.error('chdb-front: unexpected failure', error);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': '1001' });
      }
      res.end(`Code: 1001. DB::Exception: chdb-front failed: ${error && error.message}. (STD_EXCEPTION)\n`);
    });
  });
});
server.keepAliveTimeout = 30000; // modern ClickHouse's keep_alive_timeout default
server.headersTimeout = 60000;
server.requestTimeout = 0;

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`chdb-front: ${signal}, stopping`);
  server.close();
  server.closeAllConnections();
  queue.finally(() => {
    try { session.close(); } catch (e) { /* exiting anyway */ }
    fs.rmSync(scratch, { recursive: true, force: true });
    process.exit(0);
  });
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (process.env.CHDB_FRONT_EXIT_ON_STDIN_EOF === '1') {
  // the parent holds our stdin open: when it dies, even by SIGKILL, stdin ends and we stop instead of lingering
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin failed'));
  process.stdin.resume();
}

(async () => {
  const info = await session.queryAsync('SELECT version(), timezone()', { format: 'TabSeparated' });
  [version, timezone] = info.text().trim().split('\t');
  server.listen(port, '127.0.0.1', () => {
    console.log(`chdb-front listening on http://127.0.0.1:${port}, ClickHouse engine ${version} (chdb), data in `
      + `${dataDir}; this EMULATES the ClickHouse HTTP protocol`);
  });
  server.on('error', (error) => {
    console.error(`chdb-front: cannot listen on 127.0.0.1:${port}: ${error.message}`);
    process.exit(3);
  });
})().catch((error) => {
  console.error('chdb-front: start-up failed', error);
  process.exit(1);
});
