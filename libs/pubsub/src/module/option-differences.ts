/**
 * The option paths where two forRoot(...) option objects differ (`nodeName`, `transport.url`,
 * `channels.health.mailboxSize`), so a warning can name them without printing values (secrets among them).
 * Plain objects are compared field by field, arrays element by element, anything else by identity
 * (a metrics registry is the same object or not).
 */
export function optionDifferences(first: unknown, second: unknown, path = ''): string[] {
  if (Object.is(first, second)) return [];
  if (Array.isArray(first) && Array.isArray(second)) {
    if (first.length !== second.length) return [path];
    return first.some((item, i) => optionDifferences(item, second[i]).length > 0) ? [path] : [];
  }
  if (!isPlainObject(first) || !isPlainObject(second)) return [path];
  const keys = new Set([...Object.keys(first), ...Object.keys(second)]);
  const differences: string[] = [];
  for (const key of [...keys].sort()) {
    differences.push(...optionDifferences(first[key], second[key], path === '' ? key : `${path}.${key}`));
  }
  return differences;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
