-- Builds the world scripts run in, once per Lua state (crates/engine/src/commands/scripting/lua.rs),
-- and keeps three functions in the global `__playground` of the state (not the scripts' globals):
-- `compile(sha, body)`, which compiles a script into that world and keeps it, `forget()`, and
-- `run(sha, body, call, pcall, setresp, keys, argv)`, which runs one (compiled first if it is
-- not) with this run's `redis.call`, `redis.pcall` and `redis.setresp` (Rust functions bound to
-- the command that runs the script) and KEYS and ARGV, and answers 'ok' and the script's value,
-- 'error' and the error's table, or 'compile' and Lua's message. For functions it keeps
-- `load_library(sha, body)`, `call_function(sha, body, name, call, pcall, setresp, keys, argv)`
-- and `forget_libraries()` (see "Function libraries" below).
-- This chunk is named "=[redis]"; the error handler skips its frames when it names the line of
-- the script where an error happened. Arguments: the Rust functions behind the rest of the
-- `redis` table, the Redis version, the most memory the Lua state may use, the mark that starts
-- the text of an error the Rust functions raise (a table in Redis, whose C functions raise
-- tables; a Rust function raises text: the handler and pcall turn it back), the cjson
-- library (cjson.rs), how many scripts, and bytes of their texts, to keep
-- compiled, and the libraries `bit` (bit.rs), `cmsgpack` (cmsgpack.rs) and `struct`
-- (lstruct.rs), then the meter's `charge(n)` and `arm()` (meter.rs), and `string.find`,
-- `string.match`, `string.gmatch` and Lua 5.1's reading of patterns and replacements
-- (patterns.rs).
local rsha1hex, rlog, rsetrepl, racl, version, version_num, memory, mark, cjsonlib,
  max_count, max_bytes, bitlib, msgpacklib, structlib, charge, arm, patternlib = ...

local dbg = debug
local error, type, tostring, tonumber, select = error, type, tostring, tonumber, select
local rawget, rawset, next, pairs, ipairs = rawget, rawset, next, pairs, ipairs
local setmetatable, getmetatable, loadstring, load, setfenv = setmetatable, getmetatable, loadstring, load, setfenv
local collectgarbage, randomseed = collectgarbage, math.randomseed
local s_find, s_sub, s_gsub, s_match = string.find, string.sub, string.gsub, string.match
local t_concat = table.concat
local LIB = '=[redis]'

-- An error a Rust function raised, as the table Redis's would have raised. After the mark, a
-- byte: 2 when the error statistics counted the error already (a command's error, or its
-- refusal), 1 otherwise (an error of a library function, counted if the script answers it).
local function from_mark(e)
  if type(e) == 'string' and s_sub(e, 1, #mark) == mark then
    if s_sub(e, #mark + 1, #mark + 1) == '\2' then
      return {err = s_sub(e, #mark + 2), ignore_err_stats_update = true}
    end
    return {err = s_sub(e, #mark + 2)}
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

-- Large results in one native call escape the sampled memory limit: refuse them first, at the
-- script's line (`level` counts from reserve: 3 from a wrapper the script called).
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

-- What a library function wrapped here answers, or the error it raised as if the script had
-- called it itself: at the script's line, named as the script's call names it (Lua's
-- luaL_argerror: '?' when native code called it, as `pcall(string.format, …)` does; as a method,
-- `s:format(…)`, the arguments counted without `self`). An error raised in a function the script
-- passed (a comparator) keeps its text, and so does an error of the interpreter's own inside
-- the function (sort comparing a string with a number), which Lua 5.1 raises without a position
-- there. Its one result (fixed arguments, not `...`: cheaper on the way through): the wrappers
-- call it in brackets, not as a tail call, which would leave a "(tail call)" frame where the
-- script's should be.
local function as_called(ok, e)
  if ok then
    return e
  end
  -- An error with a position was raised in Lua code (the script's own, a comparator), one of
  -- the interpreter's has none in Lua 5.1 either: as it is.
  if type(e) ~= 'string' or s_find(e, '^[^\n]-:%d+: ') or s_find(e, '^attempt to ') then
    error(e, 0)
  end
  -- Where this interpreter's texts differ from Lua 5.1's (gsub's; the last two are the
  -- matcher's, also mapped in patterns.rs).
  e = s_gsub(e, '^(bad argument #%d+) %((string/function/table expected), got [%a ]+%)$', "%1 to '?' (%2)")
  e = s_gsub(e, '^(bad argument #%d+) %(', "%1 to '?' (")
  e = s_gsub(e, '^invalid capture index.*$', 'invalid capture index')
  e = s_gsub(e, "^malformed pattern %(missing arguments to '%%b'%)$", 'unbalanced pattern')
  local info = dbg.getinfo(2, 'n')
  local name = info and info.name or '?'
  if info and info.namewhat == 'method' then
    local n, rest = s_match(e, "^bad argument #(%d+) to '%?' (.*)$")
    if n == '1' then
      e = "calling '" .. name .. "' on bad self " .. rest
    elseif n then
      e = 'bad argument #' .. (n - 1) .. " to '?' " .. rest
    end
  end
  e = s_gsub(e, "^(bad argument #%d+ to )'%?'", "%1'" .. name .. "'")
  error(e, 3)
end

-- find, match and gmatch are Rust functions (patterns.rs: their results are any number of
-- values, which only a tail call passes on, losing the wrapper's frame; gmatch's iterator
-- raises at the line of the loop that calls it). The others raise as the
-- originals do for bad arguments (see `as_called`), from the wrapper's own frame: they answer
-- one value (gsub two, kept in locals).
local raw_gsub = string.gsub
-- Patterns and replacements as Lua 5.1 reads them (see patterns.rs), remembered: scripts pass
-- the same few again and again, and a table lookup costs less than a look for `%` escapes.
-- `remembering(needs, rewrite)` answers a table of what `rewrite` made of each string (itself
-- when `needs` found nothing to rewrite), up to 256 strings of up to 256 bytes, then all
-- forgotten at once; and the function that fills it, for a string not in it yet.
local function remembering(needs, rewrite)
  local known, size = {}, 0
  return known, function(x)
    if type(x) ~= 'string' then
      return x
    end
    local y = x
    if needs(x) then
      y = rewrite(x)
    end
    if #x <= 256 then
      if size >= 256 then
        for k in next, known do
          known[k] = nil
        end
        size = 0
      end
      known[x] = y
      size = size + 1
    end
    return y
  end
end
local patterns51, fill_pattern51 = remembering(function(p)
  return s_find(p, '%%[gG]') or s_find(p, ')', 1, true)
end, patternlib.pattern51)
local replacements51, fill_replacement51 = remembering(function(r)
  return s_find(r, '%%[^%d%%]') or s_sub(r, -1) == '%'
end, patternlib.replacement51)
string.find, string.match = patternlib.find, patternlib.match
string.gmatch = patternlib.gmatch
string.gfind = string.gmatch
string.gsub = function(...)
  local s, p, repl, n = ...
  check_pattern(p)
  p = patterns51[p] or fill_pattern51(p)
  local ts = type(s)
  local ok, r, count
  if select('#', ...) < 3 or (ts ~= 'string' and ts ~= 'number') then
    ok, r, count = pcall(raw_gsub, ...)
  else
    s = tostring(s)
    local tr = type(repl)
    if tr == 'string' or tr == 'number' then
      repl = tostring(repl)
      repl = replacements51[repl] or fill_replacement51(repl)
      if #repl > 0 then
        local counted, _, matches = pcall(raw_gsub, s, p, '', n)
        if counted then
          local _, refs = raw_gsub(repl, '%%', '')
          reserve(#s + matches * #repl + refs * #s, 3)
        end
      end
      ok, r, count = pcall(raw_gsub, s, p, repl, n)
    elseif tr == 'function' or tr == 'table' then
      local total = #s
      local f = repl
      if tr == 'table' then
        f = function(k) return repl[k] end
      end
      ok, r, count = pcall(raw_gsub, s, p, function(...)
        local v = f(...)
        local tv = type(v)
        if tv == 'string' or tv == 'number' then
          total = total + #tostring(v)
          reserve(total, 2)
        end
        return v
      end, n)
    else
      ok, r, count = pcall(raw_gsub, ...)
    end
  end
  if ok then
    return r, count
  end
  as_called(false, r)
end

table.concat = function(...)
  local t, sep, i, j = ...
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
      reserve(total, 3)
    end
  end
  return (as_called(pcall(t_concat, ...)))
end

local raw_format = string.format
string.format = function(...)
  local fmt = ...
  if type(fmt) == 'string' then
    local total = #fmt * 100
    for k = 2, select('#', ...) do
      local v = select(k, ...)
      if type(v) == 'string' then
        total = total + #v
      end
    end
    reserve(total, 3)
  end
  return (as_called(pcall(raw_format, ...)))
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

-- Work done in native code without allocating escapes the meter's measure of the heap: sorting,
-- and moving the elements after a position in and out of a table, are charged by hand (meter.rs):
-- an instruction per comparison, and per 16 elements moved (measured in Node: moving an element
-- takes about a quarter of an instruction's time, so this charges a quarter of it, as for bytes).
-- table.insert also writes with rawset, past a view's __newindex: it refuses a view as Redis's
-- read-only tables do (table.remove and table.sort find a view's own array empty).
local log = math.log
local raw_sort, raw_insert, raw_remove = table.sort, table.insert, table.remove
table.sort = function(...)
  local t = ...
  if type(t) == 'table' then
    local n = #t
    if n > 1 then
      charge(n * log(n) / log(2))
    end
  end
  return (as_called(pcall(raw_sort, ...)))
end
table.insert = function(...)
  local t = ...
  if target[t] then
    error('Attempt to modify a readonly table', 0)
  end
  if select('#', ...) > 2 and type(t) == 'table' then
    charge(#t / 16)
  end
  return (as_called(pcall(raw_insert, ...)))
end
table.remove = function(...)
  local t = ...
  if select('#', ...) > 1 and type(t) == 'table' then
    charge(#t / 16)
  end
  return (as_called(pcall(raw_remove, ...)))
end

-- Coroutines do not inherit the meter's hook: one made here arms itself when it first runs.
local raw_create, raw_wrap = coroutine.create, coroutine.wrap
local function armed(f)
  if type(f) ~= 'function' or dbg.getinfo(f, 'S').what == 'C' then
    return f
  end
  return function(...)
    arm()
    return f(...)
  end
end
coroutine.create = function(f)
  return (as_called(pcall(raw_create, armed(f))))
end
coroutine.wrap = function(f)
  return (as_called(pcall(raw_wrap, armed(f))))
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
G.cjson = view(cjsonlib)
G.bit = view(bitlib)
G.cmsgpack = view(msgpacklib)
G.struct = view(structlib)
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

-- Garbage left by runs is collected by the collector's own steps, which allocation drives, and
-- all of it once the state holds more than a quarter of its memory (a state that trips the limit
-- is dropped and built again). An explicit step after every run cost more than a short script
-- itself (it traces the whole world of this prelude).
local collect_above = memory / 4 / 1024

-- After a script or function ran: unbinds this run's `redis` functions, collects all garbage
-- once the state is large (see above), and answers 'ok' and its value or 'error' and its error.
local function finish(ok, result)
  rawset(redis, 'call', nil)
  rawset(redis, 'pcall', nil)
  rawset(redis, 'setresp', nil)
  if collectgarbage('count') > collect_above then
    collectgarbage('collect')
  end
  if ok then
    return 'ok', result
  end
  return 'error', result
end

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
  rawset(G, 'KEYS', nil)
  rawset(G, 'ARGV', nil)
  return finish(ok, result)
end

-- Function libraries (FUNCTION LOAD, FCALL). A library's code runs once, when it is loaded,
-- with the library API for globals: only `redis`, holding `register_function`, `log`, the log
-- levels and the version (Redis's LIBRARY_API); any other name fails as a missing global. Its
-- functions run later with the globals scripts see (without KEYS and ARGV: they get the keys
-- and the arguments as parameters). Both are the one table `fenv` of the library's chunk and
-- the functions it defines, whose lookups go to `api`, switched while a library loads.
local api = G
local function missing_global(k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 3)
end
local fenv = setmetatable({}, {
  __index = function(_, k)
    local v = api[k]
    if v == nil then
      missing_global(k)
    end
    return v
  end,
  __newindex = readonly,
  __metatable = false,
})
target[fenv] = G

-- The registrations of the library being loaded (nil when none is).
local loading = nil
local flag_bits = {['no-writes'] = 1, ['allow-oom'] = 2, ['allow-stale'] = 4, ['no-cluster'] = 8,
  ['allow-cross-slot-keys'] = 16}
local s_lower, s_match = string.lower, string.match

-- An error of redis.register_function, as Redis's luaPushError raises it.
local function refuse(msg)
  error({err = 'ERR ' .. msg})
end

local function is_text(v)
  local t = type(v)
  return t == 'string' or t == 'number'
end

-- The flags of a function (a Lua array of their names, any case) as bits, or nil if one is not
-- a flag.
local function read_flags(t)
  local bits = 0
  local j = 1
  while true do
    local v = t[j]
    if v == nil then
      return bits
    end
    if type(v) ~= 'string' then
      return nil
    end
    local bit = flag_bits[s_lower(v)]
    if not bit then
      return nil
    end
    if bits % (bit * 2) < bit then
      bits = bits + bit
    end
    j = j + 1
  end
end

local function register_function(...)
  local regs = loading
  if not regs then
    refuse('redis.register_function can only be called on FUNCTION LOAD command')
  end
  local n = select('#', ...)
  if n < 1 or n > 2 then
    refuse('wrong number of arguments to redis.register_function')
  end
  local name, callback, description, flags
  if n == 1 then
    local t = ...
    if type(t) ~= 'table' then
      refuse('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
    end
    flags = 0
    for k, v in next, real(t) do
      if not is_text(k) then
        refuse('named argument key given to redis.register_function is not a string')
      end
      local key = s_lower(tostring(k))
      if key == 'function_name' then
        if not is_text(v) then
          refuse('function_name argument given to redis.register_function must be a string')
        end
        name = tostring(v)
      elseif key == 'description' then
        if not is_text(v) then
          refuse('description argument given to redis.register_function must be a string')
        end
        description = tostring(v)
      elseif key == 'callback' then
        if type(v) ~= 'function' then
          refuse('callback argument given to redis.register_function must be a function')
        end
        callback = v
      elseif key == 'flags' then
        if type(v) ~= 'table' then
          refuse('flags argument to redis.register_function must be a table representing function flags')
        end
        flags = read_flags(v)
        if not flags then
          refuse('unknown flag given')
        end
      else
        refuse('unknown argument given to redis.register_function')
      end
    end
    if not name then
      refuse('redis.register_function must get a function name argument')
    end
    if not callback then
      refuse('redis.register_function must get a callback argument')
    end
  else
    local first, second = ...
    if not is_text(first) then
      refuse('first argument to redis.register_function must be a string')
    end
    if type(second) ~= 'function' then
      refuse('second argument to redis.register_function must be a function')
    end
    name, callback, flags = tostring(first), second, 0
  end
  -- Redis checks a function's name with the library names' rule, and message.
  if not s_match(name, '^[%w_]+$') then
    refuse('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')
  end
  if regs.by_name[name] then
    refuse('Function already exists in the library')
  end
  regs.by_name[name] = callback
  regs[#regs + 1] = {name = name, description = description, flags = flags}
end

local lib_redis = {register_function = register_function, log = rlog,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REDIS_VERSION = version, REDIS_VERSION_NUM = version_num}
local library_api = {redis = view(lib_redis, true)}

-- Loaded libraries by the SHA-1 of their code: each its functions by name. Past `max_count`
-- libraries or `max_bytes` of their code, the others are forgotten (and loaded again when used).
local libraries, libraries_count, libraries_bytes = {}, 0, 0

-- Loads a library's code (from its first newline on: line numbers count the shebang's line):
-- 'ok' and its registrations (an array of {name, description, flags}), 'compile' and Lua's
-- message, or 'error' and the error's text.
local function load_library(sha, body)
  local f, compile_error = loadstring(body, '@user_function')
  if not f then
    return 'compile', compile_error
  end
  setfenv(f, fenv)
  local regs = {by_name = {}}
  loading, api = regs, library_api
  local ok, err = pcall(f)
  loading, api = nil, G
  if not ok then
    err = from_mark(err)
    if type(err) == 'table' then
      local text = rawget(err, 'err')
      if is_text(text) then
        return 'error', tostring(text)
      end
      return 'error', 'ERR the library raised an error that is not a string'
    end
    return 'error', 'ERR ' .. tostring(err)
  end
  if libraries_count >= max_count or libraries_bytes + #body > max_bytes then
    libraries, libraries_count, libraries_bytes = {}, 0, 0
  end
  libraries[sha] = regs.by_name
  libraries_count, libraries_bytes = libraries_count + 1, libraries_bytes + #body
  regs.by_name = nil
  return 'ok', regs
end

-- Runs the function `name` of the library `sha` (loaded first if it is not), as `run` runs a
-- script: 'ok' and its value, or 'error' and the error's table.
local function call_function(sha, body, name, call, pcall_, setresp, keys, argv)
  local functions = libraries[sha]
  if not functions then
    local kind, err = load_library(sha, body)
    if kind ~= 'ok' then
      return 'error', {err = tostring(err)}
    end
    functions = libraries[sha]
  end
  local f = functions and functions[name]
  if not f then
    return 'error', {err = 'ERR Function not found'}
  end
  rawset(redis, 'call', call)
  rawset(redis, 'pcall', pcall_)
  rawset(redis, 'setresp', setresp)
  local ok, result = xpcall(function()
    return f(keys, argv)
  end, handler)
  return finish(ok, result)
end

local function forget_libraries()
  libraries, libraries_count, libraries_bytes = {}, 0, 0
end

-- Kept in the state's own globals (scripts see another table), where the collector sees them.
rawset(_G, '__playground', {compile = compile, run = run, forget = forget,
  load_library = load_library, call_function = call_function, forget_libraries = forget_libraries})
