/**
 * A deterministic JSON rendering: the output of `JSON.stringify` with every object's keys sorted.
 *
 * It follows `JSON.stringify` rule for rule (toJSON, boxed primitives, `undefined`/functions/symbols omitted
 * from objects and rendered `null` in arrays, non-finite numbers as `null`), so that a value and its JSON
 * round trip (`JSON.parse(JSON.stringify(value))`) have the same canonical form. That is what lets a message
 * signed before it crosses the transport verify after it arrives.
 */

/**
 * Nesting deeper than this is refused rather than left to the call stack, so that signer and verifier agree
 * on what is serialisable whatever stack each happens to have left. It also ends cycles: a cyclic value
 * nests forever, and the first refusal aborts the whole rendering, so no ancestor set is kept per call.
 */
export const MAX_CANONICAL_DEPTH = 1000;

class NotSerialisable extends Error {}

type JsonKey = string | number;

/**
 * The canonical JSON text of `value`, or undefined when it has none: cycles, BigInt, nesting deeper than
 * MAX_CANONICAL_DEPTH, a getter or toJSON that throws, or a top-level value JSON omits (undefined, a function,
 * a symbol). Never throws.
 */
export function canonicalJson(value: unknown): string | undefined {
  try {
    return render(value, '', 0);
  } catch {
    // Whatever went wrong (including a Proxy trap or a stack overflow), the value cannot be signed as is.
    return undefined;
  }
}

/** Renders one value as JSON would at `key`; undefined means "omitted" (JSON's own rule). */
function render(value: unknown, key: JsonKey, depth: number): string | undefined {
  const resolved = unboxed(withToJson(value, key));
  switch (typeof resolved) {
    case 'string':
      return JSON.stringify(resolved);
    case 'number':
      return Number.isFinite(resolved) ? String(resolved) : 'null';
    case 'boolean':
      return resolved ? 'true' : 'false';
    case 'bigint':
      throw new NotSerialisable('BigInt has no JSON representation');
    case 'object':
      if (resolved === null) return 'null';
      if (depth >= MAX_CANONICAL_DEPTH) throw new NotSerialisable('nesting too deep, or a cycle');
      return Array.isArray(resolved) ? renderArray(resolved, depth + 1) : renderObject(resolved, depth + 1);
    default:
      return undefined; // undefined, function, symbol
  }
}

function renderArray(array: readonly unknown[], depth: number): string {
  let text = '[';
  const length = array.length;
  for (let index = 0; index < length; index++) {
    if (index > 0) text += ',';
    text += render(array[index], index, depth) ?? 'null';
  }
  return text + ']';
}

function renderObject(object: object, depth: number): string {
  const record = object as Record<string, unknown>;
  // Default sort compares UTF-16 code units: the same order on every node, whatever the locale.
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const rendered = render(record[key], key, depth);
    if (rendered === undefined) continue;
    text += (first ? '' : ',') + JSON.stringify(key) + ':' + rendered;
    first = false;
  }
  return text + '}';
}

// JSON hands toJSON the property name, array indices as strings; the index is only turned into one here.
function withToJson(value: unknown, key: JsonKey): unknown {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'bigint') return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value, String(key)) : value;
}

// JSON renders `new Number(1)` as 1, `new String('a')` as "a", and refuses a boxed BigInt.
function unboxed(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Number) return Number(value);
  if (value instanceof String) return String(value);
  if (value instanceof Boolean) return value.valueOf();
  if (value instanceof BigInt) throw new NotSerialisable('BigInt has no JSON representation');
  return value;
}
