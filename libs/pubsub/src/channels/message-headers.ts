import { ERRORS } from '../error-messages.js';

export type MessageHeaders = Record<string, string>;

/**
 * A fresh copy of `raw` as message headers, or the text of what is wrong with it: headers are a plain object
 * (no class instance, array or symbol key) whose values are all strings. Each value is read once, so a getter
 * cannot show the check one value and the copy another. May throw on a hostile object (a Proxy trap):
 * callers facing untrusted input wrap it.
 */
export function copyHeaders(raw: unknown): MessageHeaders | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return ERRORS.invalidHeaders(`got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  const prototype = Object.getPrototypeOf(raw);
  if (prototype !== Object.prototype && prototype !== null) return ERRORS.invalidHeaders('got a class instance');
  if (Object.getOwnPropertySymbols(raw).length > 0) return ERRORS.invalidHeaders('symbol keys cannot be carried');
  const entries: [string, string][] = [];
  for (const key of Object.keys(raw)) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value !== 'string') return ERRORS.invalidHeaders(`'${key.slice(0, 80)}' is ${value === null ? 'null' : typeof value}`);
    entries.push([key, value]);
  }
  // fromEntries defines own properties: a '__proto__' header stays a header.
  return Object.fromEntries(entries);
}
