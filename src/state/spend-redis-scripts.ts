import { createHash } from "node:crypto";
import { fitSlack } from "./capacity.js";
import { keyWindowMs } from "./spend-ledger.js";
import { spendTtl } from "./spend-redis-keys.js";
import type { ReserveRequest, SettleRequest } from "./spend-types.js";
import type { RedisConnection } from "./redis-connection.js";
import { prelude } from "./redis-lua.js";

/**
 * The Lua scripts of the Redis spend store, one per operation, each atomic. `reserve` mirrors
 * `SpendLedger.reserve` (expire held reservations, budget, then the per-minute windows of
 * `capacity.ts`, same arithmetic) so a node that falls back to its ledger decides the same way.
 * Amounts are integer nano-dollars (exact in Lua's doubles up to 2^53). Time is the caller's `now`.
 */

const expireHeld = `
local now = n(ARGV[1])
local total = tonumber(redis.call('HGET', KEYS[3], '_total') or '0')
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if #expired > 0 then
  for _, id in ipairs(expired) do
    local held = redis.call('HGET', KEYS[3], id)
    if held then
      total = total - tonumber(held)
      redis.call('HDEL', KEYS[3], id)
    end
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
  redis.call('HSET', KEYS[3], '_total', string.format('%d', total))
end
`;

const windowMath = `
local function estimate(current, previous, now, windowMs)
  local elapsed = (now % windowMs) / windowMs
  return previous * (1 - elapsed) + current
end
local function fitsAt(current, previous, amount, limit, now, windowMs)
  local start = now - (now % windowMs)
  if current + amount <= limit and previous > 0 then
    local fraction = 1 - (limit - amount - current) / previous
    return math.max(now, math.ceil(start + windowMs * math.max(0, fraction)))
  end
  if current + amount <= limit then return now end
  if current == 0 or amount > limit then return start + windowMs end
  local fraction = math.max(0, 1 - (limit - amount) / current)
  return math.ceil(start + windowMs + windowMs * fraction)
end
`;

/**
 * KEYS: spent, held, amounts, current window, previous window.
 * ARGV: now, amount, tokens, limit ('' none), rpm ('' none), tpm ('' none), windowMs, reservation id,
 * expiresAt. Replies `{1, spent, reserved}`, `{0, 'budget', spent, reserved}` or `{0, dimension, retryAt}`.
 */
const reserve = `${prelude}${windowMath}${expireHeld}
local amount = tonumber(ARGV[2])
local tokens = n(ARGV[3])
local spent = 0
if ARGV[4] ~= '' then
  spent = tonumber(redis.call('GET', KEYS[1]) or '0')
  if spent + total + amount > tonumber(ARGV[4]) then return {0, 'budget', spent, total} end
end
local windowMs = n(ARGV[7])
if ARGV[5] ~= '' or ARGV[6] ~= '' then
  local current = redis.call('HMGET', KEYS[4], 'r', 't')
  local previous = redis.call('HMGET', KEYS[5], 'r', 't')
  local r, t = n(current[1] or '0'), n(current[2] or '0')
  local pr, pt = n(previous[1] or '0'), n(previous[2] or '0')
  if ARGV[5] ~= '' then
    local rpm = n(ARGV[5])
    if estimate(r, pr, now, windowMs) + 1 > rpm + ${fitSlack} then
      return {0, 'requests', fitsAt(r, pr, 1, rpm, now, windowMs)}
    end
  end
  if ARGV[6] ~= '' and tokens > 0 then
    local tpm = n(ARGV[6])
    local used = estimate(t, pt, now, windowMs)
    if used + tokens > tpm + ${fitSlack} and not (used == 0 and tokens > tpm) then
      return {0, 'tokens', fitsAt(t, pt, math.min(tokens, tpm), tpm, now, windowMs)}
    end
  end
  redis.call('HINCRBY', KEYS[4], 'r', 1)
  redis.call('HINCRBYFLOAT', KEYS[4], 't', ARGV[3])
  redis.call('PEXPIRE', KEYS[4], string.format('%d', 2 * windowMs))
end
redis.call('ZADD', KEYS[2], ARGV[9], ARGV[8])
redis.call('HSET', KEYS[3], ARGV[8], ARGV[2])
total = total + amount
redis.call('HSET', KEYS[3], '_total', string.format('%d', total))
local life = math.ceil(n(ARGV[9]) - now) + 60000
for i = 2, 3 do
  if redis.call('PTTL', KEYS[i]) < life then redis.call('PEXPIRE', KEYS[i], string.format('%d', life)) end
end
return {1, spent, total}`;

/**
 * KEYS: spent, held, amounts, current window.
 * ARGV: now, amount, reservation id ('' none), tokens delta, windowMs, spent TTL ('' none), '1' to add spend.
 * Replies the window's spend after the settle.
 */
const settle = `${prelude}
local now = n(ARGV[1])
if ARGV[3] ~= '' then
  local held = redis.call('HGET', KEYS[3], ARGV[3])
  if held then
    redis.call('HDEL', KEYS[3], ARGV[3])
    redis.call('ZREM', KEYS[2], ARGV[3])
    local total = tonumber(redis.call('HGET', KEYS[3], '_total') or '0') - tonumber(held)
    redis.call('HSET', KEYS[3], '_total', string.format('%d', total))
  end
end
local spent = 0
if ARGV[7] == '1' then
  spent = redis.call('INCRBY', KEYS[1], ARGV[2])
  if ARGV[6] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
end
local delta = n(ARGV[4])
if delta ~= 0 then
  local tokens = n(redis.call('HGET', KEYS[4], 't') or '0') + delta
  if tokens < 0 then tokens = 0 end
  redis.call('HSET', KEYS[4], 't', num(tokens))
  redis.call('PEXPIRE', KEYS[4], string.format('%d', 2 * n(ARGV[5])))
end
return spent`;

/** KEYS: records, hashes. ARGV: id, record JSON, hash, channel, message. */
const saveKey = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local oldHash = cjson.decode(old).hash
  if oldHash ~= ARGV[3] then redis.call('HDEL', KEYS[2], oldHash) end
end
local holder = redis.call('HGET', KEYS[2], ARGV[3])
if holder and holder ~= ARGV[1] then redis.call('HDEL', KEYS[1], holder) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

/** KEYS: records, hashes. ARGV: hash. Replies the record JSON or nil. */
const findKey = `
local id = redis.call('HGET', KEYS[2], ARGV[1])
if not id then return false end
return redis.call('HGET', KEYS[1], id)`;

/** A script and its SHA-1 (for EVALSHA). */
export interface SpendScript {
  source: string;
  sha: string;
}

function script(source: string): SpendScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

export const spendScripts = {
  reserve: script(reserve),
  settle: script(settle),
  saveKey: script(saveKey),
  findKey: script(findKey),
} as const;

/** Runs a script by its SHA, loading it with EVAL when the server does not know it yet. */
export async function runScript(
  connection: RedisConnection,
  which: SpendScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await connection.call(["evalsha", which.sha, ...tail]);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return connection.call(["eval", which.source, ...tail]);
  }
}

/** ARGV of the reserve script. */
export function reserveArgs(request: ReserveRequest): string[] {
  return [
    String(request.now),
    String(request.amountNanoUsd),
    String(request.tokens),
    request.budget ? String(request.budget.limitNanoUsd) : "",
    request.rpm === null ? "" : String(request.rpm),
    request.tpm === null ? "" : String(request.tpm),
    String(keyWindowMs),
    request.reservationId,
    String(request.expiresAt),
  ];
}

/** ARGV of the settle script (the spend counter lives until 2 days after its window ends). */
export function settleArgs(request: SettleRequest): string[] {
  const periodEnd = request.periodEnd ?? Infinity;
  const ttl = Number.isFinite(periodEnd)
    ? String(Math.max(1, Math.ceil(periodEnd - request.now + spendTtl.spentGraceMs)))
    : "";
  return [
    String(request.now),
    String(request.amountNanoUsd),
    request.reservationId ?? "",
    String(request.tokensDelta),
    String(keyWindowMs),
    ttl,
    request.periodStart === null ? "0" : "1",
  ];
}
