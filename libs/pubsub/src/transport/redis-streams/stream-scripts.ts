/**
 * Lua run atomically by Redis, so a group's counters are read and written in one step while other nodes append
 * and read. Both rely on the group's `entries-read` (Redis 7): entries added to the stream up to the group's
 * last-delivered id, trimmed ones included.
 */
export const HELPERS = `
local function field(list, name)
  for i = 1, #list, 2 do if list[i] == name then return list[i + 1] end end
end
local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
local function group(key, name)
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
    if field(g, 'name') == name then return g end
  end
end
`;

/**
 * createGroup(stream, group, start id or '$', [entries added after start]): creates the group (and the stream)
 * unless it exists, with ENTRIESREAD counting everything before its start, so that `lost` counts only what it
 * missed. The entries after the start are counted in the stream unless given (a seeding knows them, trimmed
 * ones included). 1 if created.
 */
export const CREATE_GROUP_FUNCTION = `
local function createGroup(key, name, start, known)
  local added = 0
  local after = 0
  if redis.call('EXISTS', key) == 1 then
    if group(key, name) then return 0 end
    added = field(redis.call('XINFO', 'STREAM', key), 'entries-added')
    if known then after = tonumber(known)
    elseif start ~= '$' then after = #redis.call('XRANGE', key, '(' .. start, '+') end
  end
  redis.call('XGROUP', 'CREATE', key, name, start, 'MKSTREAM', 'ENTRIESREAD', added - after)
  return 1
end
`;

/** KEYS[1] stream; ARGV[1] group, ARGV[2] start id or '$' (see createGroup). */
export const CREATE_GROUP = `${HELPERS}${CREATE_GROUP_FUNCTION}
return createGroup(KEYS[1], ARGV[1], ARGV[2])
`;

/**
 * KEYS[1] stream, KEYS[2] the hash of what was already reported; ARGV[1] group. Entries added after the group's
 * last-delivered id and trimmed before it read them are lost; returns how many were not reported yet (by any
 * node), so each loss is counted once across the cluster. Reported counts are kept per `entries-read` value:
 * once the group reads on, Redis folds the trimmed entries into entries-read and a new count starts.
 */
export const UNREPORTED_LOST = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local g = group(KEYS[1], ARGV[1])
if not g then return 0 end
local read = field(g, 'entries-read')
if type(read) ~= 'number' then return 0 end
local stream = redis.call('XINFO', 'STREAM', KEYS[1])
local length = field(stream, 'length')
local lost = 0
if length == 0 then
  lost = field(stream, 'entries-added') - read
else
  local first = field(stream, 'first-entry')
  if first and before(field(g, 'last-delivered-id'), first[1]) then lost = field(stream, 'entries-added') - read - length end
end
local seen = 0
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if stored then
  local r, c = string.match(stored, '^(%d+):(%d+)$')
  if tonumber(r) == read then seen = tonumber(c) end
end
if lost <= seen then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], string.format('%d:%d', read, lost))
return lost - seen
`;

/**
 * KEYS[1] stream; ARGV[1] group, ARGV[2] id, ARGV[3] consumer. A late acknowledgement: only if the entry is still
 * this consumer's (after the ack timeout another node may have claimed it and be handling it now).
 */
export const ACK_IF_OWNED = `
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if pending[1] and pending[1][2] == ARGV[3] then return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) end
return 0
`;

/**
 * appendEntries(stream, maxMessages, the oldest id to keep for the age limit ('' for none), the entries as one
 * JSON array of [text, signature] pairs): many XADDs in one call of few arguments, so the client serialises one
 * string per chunk instead of building a command per publication (several times less CPU on both sides for a
 * burst). `MAXLEN ~` per entry keeps the stream bounded within the chunk, one exact trim after it keeps the cap
 * exact. Answers the ids added.
 */
export const APPEND_ENTRIES_FUNCTION = `
local function appendEntries(key, maxMessages, oldest, json)
  local entries = cjson.decode(json)
  local ids = {}
  for i = 1, #entries do
    ids[i] = redis.call('XADD', key, 'MAXLEN', '~', maxMessages, '*', 'm', entries[i][1], 's', entries[i][2])
  end
  redis.call('XTRIM', key, 'MAXLEN', maxMessages)
  if oldest ~= '' then redis.call('XTRIM', key, 'MINID', '~', oldest) end
  return ids
end
`;

/** KEYS[1] stream; ARGV[1] maxMessages, ARGV[2] oldest id to keep or '', ARGV[3] entries. Answers how many were added. */
export const APPEND_ENTRIES = `${APPEND_ENTRIES_FUNCTION}
return #appendEntries(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
`;

/**
 * KEYS[1] stream; ARGV[1] group, ARGV[2] idle ms, ARGV[3..] consumers to keep (this node's live members). Deletes
 * the group's consumers with nothing pending that were idle for longer (left by subscriptions and processes long
 * gone: every process names its consumers anew). Nothing pending, so no delivery is dropped. Answers how many.
 */
export const PRUNE_CONSUMERS = `
local keep = {}
for i = 3, #ARGV do keep[ARGV[i]] = true end
local deleted = 0
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local name, pending, idle
  for i = 1, #consumer, 2 do
    if consumer[i] == 'name' then name = consumer[i + 1]
    elseif consumer[i] == 'pending' then pending = consumer[i + 1]
    elseif consumer[i] == 'idle' then idle = consumer[i + 1] end
  end
  if name and not keep[name] and pending == 0 and idle > tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    deleted = deleted + 1
  end
end
return deleted
`;
