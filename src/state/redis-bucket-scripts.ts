import { bucketTtlMs, floorCut, growthWindowMs, levelSlack, raiseGain, reserveDecay } from "./bucket.js";
import { prelude } from "./redis-lua.js";

/**
 * The Lua scripts of the learned buckets: `take`, `release` and `observe`, each one atomic EVALSHA on
 * the bucket's hash, each mirroring the pure transition of `bucket.ts` line by line (same order of
 * floating-point operations). Time is the caller's `now` (ARGV[1]). Every script returns the record
 * (`bucketFields` order; `take` prefixes its verdict), so the node's view adopts it.
 */

/** Hash fields of a bucket record, in the order the scripts return them. */
export const bucketFields = [
  ...["m", "at", "n", "x", "oa", "da", "dm", "ss", "pa"],
  ...["rc", "rr", "rl", "rt", "ro", "rv"],
  ...["tc", "tr", "tl", "tt", "to", "tv"],
] as const;

const bucketPrelude = `${prelude}
local now = n(ARGV[1])
local fields = {${bucketFields.map((field) => `'${field}'`).join(", ")}}
local function dimension(r, i)
  return { c = n(r[i]) or 0, r = n(r[i + 1]) or 0, l = n(r[i + 2]) or 0, t = n(r[i + 3]) or 0, o = n(r[i + 4]) or 0,
    v = n(r[i + 5]) or 0 }
end
local function fresh()
  return { m = 'unknown', at = 0, n = 0, x = 0, oa = 0, da = 0, dm = 0, ss = '0', pa = 0,
    d = { { c = 0, r = 0, l = 0, t = 0, o = 0, v = 0 }, { c = 0, r = 0, l = 0, t = 0, o = 0, v = 0 } } }
end
local b = fresh()
local existed = false
do
  local r = redis.call('HMGET', KEYS[1], unpack(fields))
  if r[1] then
    local loaded = { m = r[1], at = n(r[2]) or 0, n = n(r[3]) or 0, x = n(r[4]) or 0, oa = n(r[5]) or 0,
      da = n(r[6]) or 0, dm = n(r[7]) or 0, ss = r[8] or '0', pa = n(r[9]) or 0,
      d = { dimension(r, 10), dimension(r, 16) } }
    if not (now - loaded.at > ${bucketTtlMs}) then
      b = loaded
      existed = true
    end
  end
end
local function encode()
  local out = { b.m, num(b.at), num(b.n), num(b.x), num(b.oa), num(b.da), num(b.dm), b.ss, num(b.pa) }
  for i = 1, 2 do
    local d = b.d[i]
    out[#out + 1] = num(d.c)
    out[#out + 1] = num(d.r)
    out[#out + 1] = num(d.l)
    out[#out + 1] = num(d.t)
    out[#out + 1] = num(d.o)
    out[#out + 1] = num(d.v)
  end
  return out
end
local function save()
  local out = encode()
  local values = {}
  for i = 1, #fields do
    values[2 * i - 1] = fields[i]
    values[2 * i] = out[i]
  end
  redis.call('HSET', KEYS[1], unpack(values))
  redis.call('PEXPIRE', KEYS[1], '${bucketTtlMs}')
  return out
end
local function roll()
  if now <= b.at then return end
  local elapsed = now - b.at
  for i = 1, 2 do
    local d = b.d[i]
    if d.c > 0 then d.l = math.min(d.c, d.l + d.r * elapsed) end
  end
  b.at = now
end
`;

/** ARGV = now, requests, tokens. Returns {denied dimension or "", retryAt, ...record}. */
const take = `${bucketPrelude}
local cost = { n(ARGV[2]), n(ARGV[3]) }
local names = { 'requests', 'tokens' }
roll()
local retryAt, denied = 0, ''
for i = 1, 2 do
  local d = b.d[i]
  local amount = cost[i]
  if amount > 0 and d.c > 0 then
    local need = math.min(amount + d.v, d.c)
    if d.l < need - need * ${levelSlack} then
      local at = now + math.ceil((need - d.l) / d.r)
      if at > retryAt then
        retryAt = at
        denied = names[i]
      end
    end
  end
end
if denied ~= '' then
  b.da = now
  local out = save()
  table.insert(out, 1, num(retryAt))
  table.insert(out, 1, denied)
  return out
end
for i = 1, 2 do
  local d = b.d[i]
  local amount = cost[i]
  if amount > 0 then
    if d.c > 0 then d.l = d.l - amount end
    d.t = d.t + amount
  end
end
local out = save()
table.insert(out, 1, '0')
table.insert(out, 1, '')
return out`;

/** ARGV = now, requests, tokens. Returns the record, or {} when there is none. */
const release = `${bucketPrelude}
if not existed then return {} end
local cost = { n(ARGV[2]), n(ARGV[3]) }
roll()
for i = 1, 2 do
  local d = b.d[i]
  local amount = cost[i]
  if amount > 0 then
    if d.c > 0 then d.l = math.min(d.c, d.l + amount) end
    d.t = math.max(0, d.t - amount)
  end
end
return save()`;

/**
 * ARGV = now, sentAt, mark requests, mark tokens ("" = no mark), rejected (1/0), requests capacity,
 * rate, remaining, tokens capacity, rate, remaining ("" capacity = no reading, "" remaining = null),
 * retryAt ("" = null), extra tokens, AIMD initial rate, burst ms, decrease, increase, slow-start
 * increase, refill floor, least capacity ("" = no policy). Returns the record.
 */
const observe = `${bucketPrelude}
local sentAt = n(ARGV[2])
local marks = nil
if ARGV[3] ~= '' then marks = { n(ARGV[3]), n(ARGV[4]) } end
local function markOf(i)
  if marks == nil then return nil end
  return marks[i]
end
local rejected = ARGV[5] == '1'
local function reading(i)
  if ARGV[i] == '' then return nil end
  local remaining = nil
  if ARGV[i + 2] ~= '' then remaining = n(ARGV[i + 2]) end
  return { c = n(ARGV[i]), r = n(ARGV[i + 1]), rem = remaining }
end
local readings = { reading(6), reading(9) }
local retryAt = nil
if ARGV[12] ~= '' then retryAt = n(ARGV[12]) end
local extra = n(ARGV[13])
local policy = nil
if ARGV[14] ~= '' then
  policy = { initial = n(ARGV[14]), burstMs = n(ARGV[15]), decrease = n(ARGV[16]), increase = n(ARGV[17]),
    slow = n(ARGV[18]), floor = n(ARGV[19]), minc = n(ARGV[20]) }
end
local function correct(d, remaining, mark)
  local after = 0
  if mark ~= nil then after = math.max(0, d.t - mark) end
  local projected = math.min(d.c, remaining + d.r * math.max(0, now - sentAt) - after)
  local isFresh = mark ~= nil and mark > d.o
  local lowered = math.floor(math.max(0, d.l - projected))
  d.v = math.min(d.c / 2, math.max(lowered, d.v * ${reserveDecay}))
  if projected < d.l then
    d.l = projected
  elseif isFresh then
    d.l = d.l + ${raiseGain} * (projected - d.l)
  end
  if isFresh then d.o = mark end
end
local function read(d, rd, mark)
  if rd == nil then return end
  local firstSight = false
  if rd.c > 0 and rd.r > 0 then
    firstSight = d.c <= 0
    d.c = rd.c
    d.r = rd.r
    if firstSight then d.l = d.c else d.l = math.min(d.l, d.c) end
  end
  if rd.rem ~= nil and d.c > 0 then
    correct(d, rd.rem, mark)
    if firstSight then d.v = 0 end
  end
end
local function hold(d, allowance)
  if d.c <= 0 then return end
  local wait = 0
  if retryAt ~= nil then wait = math.max(0, retryAt - now) end
  d.l = math.min(d.l, math.min(d.c, allowance) - d.r * wait)
end
local function burst(rate)
  return math.max(1, rate * policy.burstMs, policy.minc)
end
roll()
b.n = b.n + 1
if rejected then b.x = b.x + 1 end
b.oa = math.max(b.oa, now)
if readings[1] ~= nil or readings[2] ~= nil then
  b.m = 'headers'
  read(b.d[1], readings[1], markOf(1))
  read(b.d[2], readings[2], markOf(2))
  if rejected and (retryAt ~= nil or readings[1] == nil or readings[1].rem == nil) then hold(b.d[1], 1) end
  if rejected and (retryAt ~= nil or readings[2] == nil or readings[2].rem == nil) then hold(b.d[2], 0) end
elseif policy ~= nil then
  local d = b.d[1]
  if b.m ~= 'aimd' or d.c <= 0 then
    b.m = 'aimd'
    b.ss = '1'
    b.dm = 0
    b.pa = now
    d.r = policy.initial
    d.c = burst(d.r)
    d.l = d.c
    d.v = 0
    b.d[2].c = 0
    b.d[2].r = 0
    b.d[2].l = 0
    b.d[2].v = 0
  end
  local mark = markOf(1)
  if rejected then
    if mark == nil or mark > b.dm then
      local floor = math.min(policy.floor, d.r * ${floorCut})
      d.r = math.max(d.r * policy.decrease, floor)
      b.ss = '0'
      b.dm = d.t
      b.pa = now
    end
    d.c = burst(d.r)
    d.l = math.min(d.l, d.c)
    hold(d, 1)
  else
    if b.da >= sentAt or d.l < 1 then
      local increase = policy.increase
      if b.ss == '1' then increase = policy.slow end
      local elapsed = math.min(${growthWindowMs}, math.max(0, now - b.pa))
      d.r = d.r * (1 + (increase * elapsed) / 1000)
    end
    b.pa = math.max(b.pa, now)
    d.c = burst(d.r)
    d.l = math.min(d.l, d.c)
  end
elseif rejected then
  hold(b.d[1], 1)
  hold(b.d[2], 0)
end
if extra > 0 and b.d[2].c > 0 then b.d[2].l = b.d[2].l - extra end
return save()`;

export const bucketScripts = {
  llmuxBucketTake: { numberOfKeys: 1, lua: take },
  llmuxBucketRelease: { numberOfKeys: 1, lua: release },
  llmuxBucketObserve: { numberOfKeys: 1, lua: observe },
} as const;
