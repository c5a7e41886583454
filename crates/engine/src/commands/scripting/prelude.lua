-- Builds the world scripts run in, once per Lua state (crates/engine/src/commands/scripting/lua.rs),
-- and keeps three functions in the global `__playground` of the state (not the scripts' globals):
-- `compile(sha, body)`, which compiles a script into that world and keeps it, `forget()`, and
-- `run(sha, body, call, pcall, setresp, keys, argv)`, which runs one (compiled first if it is
-- not) with this run's `redis.call`, `redis.pcall` and `redis.setresp` (Rust functions bound to
-- the command that runs the script) and KEYS and ARGV, and answers 'ok' and the script's value,
-- 'error' and the error's table, or 'compile' and Lua's message.
-- This chunk is named "=[redis]"; the error handler skips its frames when it names the line of
-- the script where an error happened. Arguments: the Rust functions behind the rest of the
-- `redis` table, the Redis version, the most memory the Lua state may use, the mark that starts
-- the text of an error the Rust functions raise (a table in Redis, whose C functions raise
-- tables; a Rust function raises text: the handler and pcall turn it back), the cjson
-- library's encode, decode and null, how many scripts, and bytes of their texts, to keep
-- compiled, and the `bit` library (bit.rs).
local rsha1hex, rlog, rsetrepl, racl, version, version_num, memory, mark, cencode, cdecode,
  cnull, max_count, max_bytes, bitlib = ...

local dbg = debug
local error, type, tostring, tonumber, select = error, type, tostring, tonumber, select
local rawget, rawset, next, pairs, ipairs = rawget, rawset, next, pairs, ipairs
local setmetatable, getmetatable, loadstring, load, setfenv = setmetatable, getmetatable, loadstring, load, setfenv
local collectgarbage, randomseed = collectgarbage, math.randomseed
local s_find, s_sub, s_gsub = string.find, string.sub, string.gsub
local t_concat = table.concat
local LIB = '=[redis]'

-- An error a Rust function raised, as the table Redis's would have raised.
local function from_mark(e)
  if type(e) == 'string' and s_sub(e, 1, #mark) == mark then
    return {err = s_sub(e, #mark + 1), ignore_err_stats_update = true}
  end
  return e
end

-- Redis's luaPushErrorBuff for a text starting with '-': the code is the first word, else ERR.
local function error_code(s)
  if not s_find(s, ' ', 1, true) then
    return 'ERR ' .. s_sub(s, 2)
  end
  return s_sub(s, 2)
end

-- Large results in one native call escape the sampled memory limit: refuse them first.
local function reserve(n, level)
  if n > memory then
    error('not enough memory', level)
  end
end

-- Lua 5.1's matcher has no depth limit and recurses once per quantifier or capture: bound it
-- (Lua 5.2's MAXCCALLS and message) so a pattern cannot exhaust the native stack.
local function check_pattern(p)
  if type(p) == 'string' and #p > 200 then
    local _, n = s_gsub(p, '[%?%*%+%-%(%)]', '')
    if n > 200 then
      error('pattern too complex', 3)
    end
  end
end

local raw_find, raw_match, raw_gmatch, raw_gsub = string.find, string.match, string.gmatch, string.gsub
string.find = function(s, p, ...)
  check_pattern(p)
  return raw_find(s, p, ...)
end
string.match = function(s, p, ...)
  check_pattern(p)
  return raw_match(s, p, ...)
end
string.gmatch = function(s, p, ...)
  check_pattern(p)
  return raw_gmatch(s, p, ...)
end
string.gfind = string.gmatch
string.gsub = function(s, p, repl, n)
  check_pattern(p)
  local ts = type(s)
  if ts ~= 'string' and ts ~= 'number' then
    return raw_gsub(s, p, repl, n)
  end
  s = tostring(s)
  local tr = type(repl)
  if tr == 'string' or tr == 'number' then
    repl = tostring(repl)
    if #repl > 0 then
      local _, matches = raw_gsub(s, p, '', n)
      local _, refs = raw_gsub(repl, '%%', '')
      reserve(#s + matches * #repl + refs * #s, 3)
    end
    return raw_gsub(s, p, repl, n)
  elseif tr == 'function' or tr == 'table' then
    local total = #s
    local f = repl
    if tr == 'table' then
      f = function(k) return repl[k] end
    end
    return raw_gsub(s, p, function(...)
      local v = f(...)
      local tv = type(v)
      if tv == 'string' or tv == 'number' then
        total = total + #tostring(v)
        reserve(total, 2)
      end
      return v
    end, n)
  end
  return raw_gsub(s, p, repl, n)
end

table.concat = function(t, sep, i, j)
  if type(t) == 'table' then
    local first = tonumber(i) or 1
    local last = tonumber(j) or #t
    local sl = type(sep) == 'string' and #sep or 0
    local total = 0
    for k = first, last do
      local v = rawget(t, k)
      local tv = type(v)
      if tv == 'string' then
        total = total + #v + sl
      elseif tv == 'number' then
        total = total + 24 + sl
      else
        break
      end
      reserve(total, 2)
    end
  end
  return t_concat(t, sep, i, j)
end

local raw_format = string.format
string.format = function(fmt, ...)
  if type(fmt) == 'string' then
    local total = #fmt * 100
    for k = 1, select('#', ...) do
      local v = select(k, ...)
      if type(v) == 'string' then
        total = total + #v
      end
    end
    reserve(total, 2)
  end
  return raw_format(fmt, ...)
end

-- The error handler (Redis's __redis__err__handler): an error becomes a table with its text in
-- `err` (a string gets the ERR code), and the source and line of the script where it happened.
local function handler(err)
  local level = 2
  local info = dbg.getinfo(level, 'nSl')
  if info and info.what == 'C' then
    level = level + 1
    info = dbg.getinfo(level, 'nSl')
  end
  while info and info.source == LIB do
    level = level + 1
    info = dbg.getinfo(level, 'nSl')
  end
  err = from_mark(err)
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if info then
    rawset(err, 'source', info.source)
    rawset(err, 'line', info.currentline)
  end
  return err
end

-- The redis library. The functions that may raise are Rust's: a script's `return redis.call(…)`
-- is a tail call, which would hide the script's line behind a Lua function.
local redis = {}
redis.error_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  if s_sub(s, 1, 1) ~= '-' then
    s = '-' .. s
  end
  return {err = error_code(s)}
end
redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  return {ok = s}
end
redis.sha1hex = rsha1hex
redis.log = rlog
redis.set_repl = rsetrepl
redis.replicate_commands = function()
  return true
end
redis.breakpoint = function()
  return false
end
redis.debug = function()
end
redis.acl_check_cmd = racl
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = version, version_num

-- Read-only views: writing to one fails as in Redis ("Attempt to modify a readonly table"),
-- reading a missing global fails too. The functions that see through metatables see the table
-- behind the view.
local target = setmetatable({}, {__mode = 'k'})
local function readonly()
  error('Attempt to modify a readonly table', 2)
end
local function view(t, globals)
  local index = t
  if globals then
    index = function(_, k)
      local v = t[k]
      if v == nil then
        error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
      end
      return v
    end
  end
  local v = setmetatable({}, {__index = index, __newindex = readonly, __metatable = false})
  target[v] = t
  return v
end
local function real(t)
  return target[t] or t
end

-- table.insert writes with rawset, past a view's __newindex: refuse it on a view as Redis's
-- read-only tables do (table.remove and table.sort find a view's own array empty).
local raw_insert = table.insert
table.insert = function(t, ...)
  if target[t] then
    error('Attempt to modify a readonly table', 0)
  end
  return raw_insert(t, ...)
end

local G = {}
local env = view(G, true)
local function with_env(f, ...)
  if f then
    setfenv(f, env)
  end
  return f, ...
end

for _, name in ipairs({'assert', 'collectgarbage', 'error', 'gcinfo', 'rawequal', 'select',
    'tonumber', 'tostring', 'type', 'unpack', '_VERSION'}) do
  G[name] = _G[name]
end
-- Redis's pcall gives the text of an error table (its `err`), not the table.
local function caught(ok, ...)
  if ok then
    return ok, ...
  end
  local e = from_mark((...))
  if type(e) == 'table' then
    local text = rawget(e, 'err')
    local tt = type(text)
    if tt == 'string' or tt == 'number' then
      e = text
    end
  end
  return ok, e
end
G.pcall = function(f, ...)
  return caught(pcall(f, ...))
end
G.xpcall = function(f, h)
  return xpcall(f, function(e)
    return h(from_mark(e))
  end)
end
G.next = function(t, k)
  return next(real(t), k)
end
G.pairs = function(t)
  if target[t] then
    return next, target[t], nil
  end
  return pairs(t)
end
G.ipairs = function(t)
  return ipairs(real(t))
end
G.rawget = function(t, k)
  return rawget(real(t), k)
end
G.rawset = function(t, k, v)
  if target[t] then
    error('Attempt to modify a readonly table', 0)
  end
  return rawset(t, k, v)
end
G.setmetatable = function(t, mt)
  if target[t] then
    error('Attempt to modify a readonly table', 0)
  end
  return setmetatable(t, mt)
end
G.getmetatable = function(t)
  if t == env then
    -- Redis's globals have a metatable (its fields are not shown here).
    return {}
  elseif target[t] then
    return nil
  end
  return getmetatable(t)
end
G.loadstring = function(s, name)
  return with_env(loadstring(s, name))
end
G.load = function(f, name)
  return with_env(load(f, name))
end
G.string = view(string)
G.table = view(table)
G.math = view(math)
G.coroutine = view(coroutine)
G.redis = view(redis)
G.cjson = view({encode = cencode, decode = cdecode, null = cnull})
G.bit = view(bitlib)
G._G = env
G.__redis__err__handler = handler

-- Compiled scripts by SHA-1 (kept here, where the collector sees them), and their texts' length.
local compiled, compiled_count, compiled_bytes = {}, 0, 0

-- Compiles the script `body` named `sha`, unless it is compiled: true, or nil and Lua's message.
-- Past `max_count` scripts or `max_bytes` of their texts, the others are forgotten first.
local function compile(sha, body)
  if compiled[sha] then
    return true
  end
  local f, compile_error = loadstring(body, '@user_script')
  if not f then
    return nil, compile_error
  end
  setfenv(f, env)
  if compiled_count >= max_count or compiled_bytes + #body > max_bytes then
    compiled, compiled_count, compiled_bytes = {}, 0, 0
  end
  compiled[sha] = f
  compiled_count, compiled_bytes = compiled_count + 1, compiled_bytes + #body
  return true
end

local function forget()
  compiled, compiled_count, compiled_bytes = {}, 0, 0
end

-- Garbage left by runs is collected a step at a time, and all of it once the state holds more
-- than a quarter of its memory (a state that trips the limit is dropped and built again).
local collect_above = memory / 4 / 1024

local function run(sha, body, call, pcall_, setresp, keys, argv)
  local compiles, compile_error = compile(sha, body)
  if not compiles then
    return 'compile', compile_error
  end
  local f = compiled[sha]
  rawset(redis, 'call', call)
  rawset(redis, 'pcall', pcall_)
  rawset(redis, 'setresp', setresp)
  rawset(G, 'KEYS', keys)
  rawset(G, 'ARGV', argv)
  -- Every run draws the same numbers, as Redis reseeds its generator before each script.
  randomseed(0)
  local ok, result = xpcall(f, handler)
  rawset(redis, 'call', nil)
  rawset(redis, 'pcall', nil)
  rawset(redis, 'setresp', nil)
  rawset(G, 'KEYS', nil)
  rawset(G, 'ARGV', nil)
  if collectgarbage('count') > collect_above then
    collectgarbage('collect')
  else
    collectgarbage('step')
  end
  if ok then
    return 'ok', result
  end
  return 'error', result
end

-- Kept in the state's own globals (scripts see another table), where the collector sees them.
rawset(_G, '__playground', {compile = compile, run = run, forget = forget})
