/** Small statistics for benchmark samples (milliseconds). */

/** The q-th quantile (0..1) by nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The middle of the samples; for an even count, the mean of the two middle ones. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

export interface Summary {
  readonly p50: number;
  readonly p99: number;
}

export function summarize(samples: readonly number[]): Summary {
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** Formats milliseconds with precision that suits their size. */
export function ms(value: number): string {
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
}

export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}
