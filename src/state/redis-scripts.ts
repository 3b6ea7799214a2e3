import type { CapacityLimits } from "../types/index.js";
import { fitSlack } from "./capacity.js";
import { bucketScripts } from "./redis-bucket-scripts.js";
import { dayMs, ttl, type RedisKeys } from "./redis-keys.js";
import { prelude } from "./redis-lua.js";

/**
 * The Lua scripts of the Redis state store: one per domain operation, each atomic, each mirroring the
 * pure transition of `health.ts` / `capacity.ts` line by line (same order of floating-point
 * operations, so both stores compute identical `retryAt` values). Time is the caller's `now` (ARGV),
 * never Redis TIME, so fake clocks work — nodes' clocks must be roughly in sync.
 *
 * Numbers travel as strings: JS `String(n)` in, `%.17g` out (exact round trip; Lua's own
 * `tostring` keeps only 14 digits). Nullable strings are "" for null and "=value" otherwise.
 */

/** Health record fields, in the order of the arrays the scripts return and publish. */
export const healthFields = ["v", "cu", "cr", "bl", "ci", "cf", "ou", "oc", "pl", "dr", "da"] as const;

/** Health scripts: KEYS[1] = health hash; ARGV = now, channel, node, deployment id, then the operation's. */
const healthPrelude = `${prelude}
local fields = {${healthFields.map((field) => `'${field}'`).join(", ")}}
local now = n(ARGV[1])
local function load(key)
  local r = redis.call('HMGET', key, unpack(fields))
  return { v = n(r[1]) or 0, cu = n(r[2]) or 0, cr = r[3] or '', bl = n(r[4]) or 0, ci = r[5] or 'closed',
    cf = n(r[6]) or 0, ou = n(r[7]) or 0, oc = n(r[8]) or 0, pl = n(r[9]) or 0, dr = r[10] or '', da = n(r[11]) or 0 }
end
local function encode(h)
  return { num(h.v), num(h.cu), h.cr, num(h.bl), h.ci, num(h.cf), num(h.ou), num(h.oc), num(h.pl), h.dr, num(h.da) }
end
local h = load(KEYS[1])
local before = encode(h)
local function commit()
  local after = encode(h)
  local changed = false
  for i = 2, #fields do
    if before[i] ~= after[i] then changed = true end
  end
  if not changed then return after end
  h.v = math.max(h.v + 1, math.floor(now) * 1000)
  after[1] = num(h.v)
  local values = {}
  for i = 1, #fields do
    values[2 * i - 1] = fields[i]
    values[2 * i] = after[i]
  end
  redis.call('HSET', KEYS[1], unpack(values))
  local life = ${ttl.disabledMs}
  if h.dr == '' then
    life = math.max(h.cu, h.ou, h.pl) - now
    if not (life > 0) then life = 0 end
    if life > ${ttl.disabledMs} then life = ${ttl.disabledMs} end
    life = life + ${ttl.healthGraceMs}
  end
  redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil(life)))
  redis.call('PUBLISH', ARGV[2], cjson.encode({ n = ARGV[3], i = ARGV[4], r = after }))
  return after
end
`;

const admit = `${healthPrelude}
if h.dr == '' and h.cu <= now and h.ci ~= 'closed' and not (h.ci == 'open' and h.ou > now) and h.pl <= now then
  h.ci = 'half_open'
  h.pl = now + n(ARGV[5])
end
return commit()`;

const coolDown = `${healthPrelude}
local untilAt = n(ARGV[5])
if untilAt > h.cu then
  h.cu = untilAt
  h.cr = '=' .. ARGV[6]
end
if ARGV[7] == '1' then h.bl = h.bl + 1 else h.bl = 0 end
return commit()`;

const recordFailure = `${healthPrelude}
h.cf = h.cf + 1
local from = h.ci
if from == 'half_open' or (from == 'closed' and h.cf >= n(ARGV[5])) then
  local openMs = math.min(n(ARGV[7]), n(ARGV[6]) * 2 ^ h.oc)
  h.ci = 'open'
  h.oc = h.oc + 1
  h.ou = now + openMs
  h.pl = 0
end
return commit()`;

const recordSuccess = `${healthPrelude}
h.cf = 0
h.bl = 0
h.oc = 0
h.pl = 0
h.ou = 0
h.ci = 'closed'
return commit()`;

const disable = `${healthPrelude}
h.dr = '=' .. ARGV[5]
h.da = now
return commit()`;

const enable = `${healthPrelude}
h = { v = h.v, cu = 0, cr = '', bl = 0, ci = 'closed', cf = 0, ou = 0, oc = 0, pl = 0, dr = '', da = 0 }
return commit()`;

/**
 * KEYS = current window, previous window, day counter; ARGV = now, windowMs, tokens, rpm, tpm, rpd
 * ("" = unlimited), end of today, window TTL. Returns {denied dimension or "", retryAt, requests,
 * tokens, previous requests, previous tokens, requests today} (counts after the operation).
 */
const acquire = `${prelude}
local now, w, tokens = n(ARGV[1]), n(ARGV[2]), n(ARGV[3])
local rpm, tpm, rpd = n(ARGV[4]), n(ARGV[5]), n(ARGV[6])
local c = redis.call('HMGET', KEYS[1], 'r', 't')
local p = redis.call('HMGET', KEYS[2], 'r', 't')
local r, t, pr, pt = n(c[1]) or 0, n(c[2]) or 0, n(p[1]) or 0, n(p[2]) or 0
local today = n(redis.call('GET', KEYS[3])) or 0
local function reply(dimension, retryAt)
  return { dimension, num(retryAt), num(r), num(t), num(pr), num(pt), num(today) }
end
local function estimate(current, previous)
  local elapsed = math.fmod(now, w) / w
  return previous * (1 - elapsed) + current
end
local function fitsAt(current, previous, amount, limit)
  local start = now - math.fmod(now, w)
  if current + amount <= limit and previous > 0 then
    local fraction = 1 - (limit - amount - current) / previous
    return math.max(now, math.ceil(start + w * math.max(0, fraction)))
  end
  if current + amount <= limit then return now end
  if current == 0 or amount > limit then return start + w end
  local fraction = math.max(0, 1 - (limit - amount) / current)
  return math.ceil(start + w + w * fraction)
end
if rpd ~= nil and today + 1 > rpd then return reply('requests_per_day', n(ARGV[7])) end
if rpm ~= nil and estimate(r, pr) + 1 > rpm + ${fitSlack} then return reply('requests', fitsAt(r, pr, 1, rpm)) end
if tpm ~= nil and tokens > 0 then
  local used = estimate(t, pt)
  if used + tokens > tpm + ${fitSlack} and not (used == 0 and tokens > tpm) then
    return reply('tokens', fitsAt(t, pt, math.min(tokens, tpm), tpm))
  end
end
r = r + 1
t = t + tokens
today = today + 1
redis.call('HSET', KEYS[1], 'r', num(r), 't', num(t))
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('SET', KEYS[3], num(today), 'PX', '${ttl.dayMs}')
return reply('', 0)`;

/** KEYS[1] = current window; ARGV = delta, window TTL. Returns the window's tokens. */
const adjustTokens = `${prelude}
local t = math.max(0, (n(redis.call('HGET', KEYS[1], 't')) or 0) + n(ARGV[1]))
redis.call('HSET', KEYS[1], 't', num(t))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return num(t)`;

/** KEYS[1] = cursor. Returns the value after the increment. */
const cursor = `
local value = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], '${ttl.cursorMs}')
return value`;

export const scripts = {
  llmuxAdmit: { numberOfKeys: 1, lua: admit },
  llmuxCoolDown: { numberOfKeys: 1, lua: coolDown },
  llmuxFailure: { numberOfKeys: 1, lua: recordFailure },
  llmuxSuccess: { numberOfKeys: 1, lua: recordSuccess },
  llmuxDisable: { numberOfKeys: 1, lua: disable },
  llmuxEnable: { numberOfKeys: 1, lua: enable },
  llmuxAcquire: { numberOfKeys: 3, lua: acquire },
  llmuxAdjust: { numberOfKeys: 1, lua: adjustTokens },
  llmuxCursor: { numberOfKeys: 1, lua: cursor },
  ...bucketScripts,
} as const;

export type ScriptName = keyof typeof scripts;
export type HealthScript =
  "llmuxAdmit" | "llmuxCoolDown" | "llmuxFailure" | "llmuxSuccess" | "llmuxDisable" | "llmuxEnable";

/** A client on which `defineCommand` registered the scripts (EVALSHA, EVAL on NOSCRIPT). */
export type ScriptedClient = Record<ScriptName, (...keysThenArgs: string[]) => Promise<unknown>>;

/** Keys and arguments of the acquire script for `now`, and the window and day they are for. */
export function acquireCall(
  keys: RedisKeys,
  deploymentId: string,
  now: number,
  limits: CapacityLimits,
  tokens: number,
  windowMs: number,
): { window: number; day: number; args: string[] } {
  const window = Math.floor(now / windowMs);
  const day = Math.floor(now / dayMs);
  const limit = (value: number | null) => (value === null ? "" : String(value));
  const args = [
    keys.window(deploymentId, windowMs, window),
    keys.window(deploymentId, windowMs, window - 1),
    keys.day(deploymentId, day),
    String(now),
    String(windowMs),
    String(tokens),
    limit(limits.rpm),
    limit(limits.tpm),
    limit(limits.rpd),
    String((day + 1) * dayMs),
    String(ttl.windows * windowMs),
  ];
  return { window, day, args };
}
