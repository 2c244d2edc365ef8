/** Discord's epoch (2015-01-01T00:00:00Z): snowflakes count milliseconds from here. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;
const INCREMENT_BITS = 12n;
const TIMESTAMP_SHIFT = 22n;

/** Makes Discord-shaped snowflakes: timestamp << 22 | worker/process (0) | increment. */
export function createSnowflakes(now: () => number): () => string {
  let increment = 0n;
  return () => {
    const stamp = BigInt(now()) - DISCORD_EPOCH_MS;
    increment = (increment + 1n) % (1n << INCREMENT_BITS);
    return ((stamp << TIMESTAMP_SHIFT) | increment).toString();
  };
}

/** The creation time, in ms since the Unix epoch, encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> TIMESTAMP_SHIFT) + DISCORD_EPOCH_MS);
}
