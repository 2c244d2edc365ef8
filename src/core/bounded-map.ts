/**
 * Sets `key` in a map used as a bounded cache: a key set again moves to the newest end, and
 * past `most` entries the oldest goes (Maps keep insertion order).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, most: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size <= most) return;
  const oldest = map.keys().next();
  if (oldest.done !== true) map.delete(oldest.value);
}
