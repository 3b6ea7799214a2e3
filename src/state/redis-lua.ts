/**
 * Helpers every Lua script of the Redis store starts with. Numbers travel as strings: JS `String(n)`
 * in (`n`), `%.17g` out (`num`, an exact round trip; Lua's own `tostring` keeps only 14 digits).
 */
export const prelude = `
local function n(s)
  if s == 'Infinity' then return math.huge end
  if s == '-Infinity' then return -math.huge end
  return tonumber(s)
end
local function num(x)
  if x == math.huge then return 'Infinity' end
  if x == -math.huge then return '-Infinity' end
  return string.format('%.17g', x)
end
`;
