import { APPEND_ENTRIES_FUNCTION, CREATE_GROUP_FUNCTION, HELPERS } from './stream-scripts.js';

/**
 * The gate of a retained channel's stream: its marker key `<stream>:groups` is absent (no durable group: a
 * publication needs no entry), `seeding:<token>` (a node is creating the first group: publications wait), or
 * `ready` (a group exists: every publication is appended). The marker only moves forward, except that a seeding
 * marker expires when its node died between the scripts.
 */
const MARKER_STATE = `
local function markerState(marker, stream)
  local value = redis.call('GET', marker)
  if value == 'ready' then return 'ready' end
  if value and string.sub(value, 1, 8) == 'seeding:' then return 'seeding' end
  if value then return 'ready' end
  -- No marker but groups (made before the gate existed, or by an older node): they still need every entry.
  if redis.call('EXISTS', stream) == 1 and #redis.call('XINFO', 'GROUPS', stream) > 0 then
    redis.call('SET', marker, 'ready')
    return 'ready'
  end
  return 'absent'
end
`;

/** How long a publisher's refusal is remembered: far longer than its frames in flight take to be answered. */
export const REFUSAL_MEMORY_MS = 60_000;

/**
 * A frame of a generation at or below this (the publisher's refusal key, or its pending key: a frame of that
 * generation whose transaction did not run) is refused as 'stale' ({-2}), so what Redis refuses of a publisher is
 * always the rest of its pipeline from the first refusal on, and re-sending it in order keeps the order.
 */
const STALE = `
local generation = tonumber(ARGV[1])
local refusedAt = tonumber(redis.call('GET', KEYS[1]) or '-1')
local stale = generation <= math.max(refusedAt, tonumber(redis.call('GET', KEYS[2]) or '-1'))
local function refused(reply)
  redis.call('SET', KEYS[1], math.max(generation, refusedAt), 'PX', ${REFUSAL_MEMORY_MS})
  return reply
end
`;

/**
 * One data frame of a publisher, published atomically with the stream entries its retained channels need.
 * KEYS[1] the publisher's refusal key, KEYS[2] its pending key; per retained channel i of the frame, KEYS[2i+1]
 * its marker, KEYS[2i+2] its stream. ARGV[1] the publisher's generation, ARGV[2] the bus channel, ARGV[3] the
 * frame; per channel i, ARGV[3i+1] maxMessages, ARGV[3i+2] the oldest id to keep or '', ARGV[3i+3] its entries
 * (JSON) or '' for none; an empty frame (only entries of messages too old for the bus) is not published.
 * Stale -> {-2}. Otherwise: any channel seeding, or ready while the frame has no entries for it -> refused
 * ({-1, states...}); else the entries of the ready channels are appended and the frame published ({receivers,
 * states...}).
 */
export const GATED_PUBLISH = `${HELPERS}${MARKER_STATE}${APPEND_ENTRIES_FUNCTION}${STALE}
if stale then return {-2} end
local states = {}
local refuse = false
for i = 1, (#KEYS - 2) / 2 do
  local state = markerState(KEYS[2 * i + 1], KEYS[2 * i + 2])
  states[i] = state
  if state == 'seeding' or (state == 'ready' and ARGV[3 * i + 3] == '') then refuse = true end
end
if refuse then return refused({-1, unpack(states)}) end
for i = 1, #states do
  if states[i] == 'ready' then appendEntries(KEYS[2 * i + 2], ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]) end
end
local receivers = 0
if ARGV[3] ~= '' then receivers = redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return {receivers, unpack(states)}
`;

/**
 * The check of a frame that carries no entries (its publisher believes none of its channels has a group), run
 * between a WATCH of the refusal key and the markers and a MULTI that publishes the frame and deletes the pending
 * key: the frame itself never passes through Lua. Keys as GATED_PUBLISH's; ARGV[1] the generation.
 * Stale -> {-2}; any channel not absent -> {-1, states...}; both write the (watched) refusal key, so the
 * transaction does not run: nothing published. Otherwise {1, states...} and the pending key is set to the
 * generation: if the transaction does not run either (a marker was written after the WATCH), the rest of this
 * generation is stale. The markers are watched, so the frame is published only if they are still as read here.
 */
export const GATE_CHECK = `${HELPERS}${MARKER_STATE}${STALE}
if stale then return refused({-2}) end
local states = {}
local refuse = false
for i = 1, (#KEYS - 2) / 2 do
  states[i] = markerState(KEYS[2 * i + 1], KEYS[2 * i + 2])
  if states[i] ~= 'absent' then refuse = true end
end
if refuse then return refused({-1, unpack(states)}) end
redis.call('SET', KEYS[2], generation, 'PX', ${REFUSAL_MEMORY_MS})
return {1, unpack(states)}
`;

/** Per channel i, KEYS[2i-1] its marker, KEYS[2i] its stream: the states, in order. */
export const READ_MARKERS = `${HELPERS}${MARKER_STATE}
local states = {}
for i = 1, #KEYS / 2 do states[i] = markerState(KEYS[2 * i - 1], KEYS[2 * i]) end
return states
`;

/**
 * Script 1 of creating the first group. KEYS[1] marker, KEYS[2] stream; ARGV[1] token, ARGV[2] expiry (ms).
 * 'mine' when the marker was absent and is now `seeding:<token>`; otherwise the state found ('seeding', 'ready').
 */
export const SEED_BEGIN = `${HELPERS}${MARKER_STATE}
local state = markerState(KEYS[1], KEYS[2])
if state ~= 'absent' then return state end
redis.call('SET', KEYS[1], 'seeding:' .. ARGV[1], 'PX', ARGV[2])
return 'mine'
`;

/**
 * A chunk of the history the first group is seeded with. KEYS[1] marker, KEYS[2] stream; ARGV[1] token,
 * ARGV[2] expiry (ms, renewed), ARGV[3] maxMessages, ARGV[4] oldest id to keep or '', ARGV[5] entries (JSON).
 * Answers the ids added, or -1 when the marker is no longer this token's (it expired).
 */
export const SEED_APPEND = `${APPEND_ENTRIES_FUNCTION}
if redis.call('GET', KEYS[1]) ~= 'seeding:' .. ARGV[1] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return appendEntries(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
`;

/**
 * Script 2: KEYS[1] marker, KEYS[2] stream; ARGV[1] token, then per group: its name, its start id or '$', and how
 * many seeded entries follow the start (trimmed ones included: they count as lost). Creates the groups and sets
 * the marker `ready`, atomically; -1 when the marker is no longer this token's.
 */
export const SEED_FINISH = `${HELPERS}${CREATE_GROUP_FUNCTION}
if redis.call('GET', KEYS[1]) ~= 'seeding:' .. ARGV[1] then return -1 end
for i = 2, #ARGV, 3 do createGroup(KEYS[2], ARGV[i], ARGV[i + 1], ARGV[i + 2]) end
redis.call('SET', KEYS[1], 'ready')
return 1
`;

/** Run on the bus's publishing connection: loaded there once per connection. */
export const GATE_SCRIPTS: readonly string[] = [GATED_PUBLISH, GATE_CHECK, READ_MARKERS, SEED_BEGIN, SEED_APPEND, SEED_FINISH];

export function markerKey(stream: string): string {
  return `${stream}:groups`;
}
