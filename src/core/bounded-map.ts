/**
 * Sets `key` in a map used as a bounded cache: a key set again moves to the newest end, and
 * past `most` entries the oldest goes (Maps keep insertion order). Returns the value that went,
 * for a cache whose entries hold something to let go of.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, most: number): V | undefined {
  map.delete(key);
  map.set(key, value);
  if (map.size <= most) return undefined;
  const oldest = map.entries().next();
  if (oldest.done === true) return undefined;
  map.delete(oldest.value[0]);
  return oldest.value[1];
}
