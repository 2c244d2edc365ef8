/** Raw HTTP for fuzzing (any method, path and headers, no client-side normalising) and bounded batches. */
import { request } from 'node:http';

// A safety net against hangs, not a speed assertion: Bolt answers an unacknowledged
// request with 404 after ~3 s, so anything slower than this is stuck.
export const REQUEST_TIMEOUT_MS = 10_000;
/** How many requests a batch keeps in flight at once. */
export const BATCH_CONCURRENCY = 24;

export interface RawRequest {
  readonly method: string;
  /** Sent as is: `..`, `%zz` and absolute-form targets reach the server unchanged. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends one request to 127.0.0.1:`port`; rejects when no answer arrives within the timeout. */
export function rawRequest(port: number, input: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      // A fresh connection each time: a kept-alive one can be closed by the server mid-reuse.
      {
        host: '127.0.0.1',
        port,
        method: input.method,
        path: input.path,
        headers: input.headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () =>
      outgoing.destroy(new Error(`no answer to ${input.method} ${input.path.slice(0, 80)}`)),
    );
    outgoing.on('error', reject);
    outgoing.end(input.body);
  });
}

/** Percent-encodes every byte of the text's UTF-8 (lone surrogates included, as U+FFFD). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** Runs `work` over every item with at most `limit` in flight; results in input order. */
export async function inBatches<T, R>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<R>,
  limit: number = BATCH_CONCURRENCY,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      const index = nextIndex++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
