import { ParleyError } from '../errors.js';
import type { FileBytes } from './model.js';

export interface FetchFileOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Reading stops, and fails, past this many bytes. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  /** The type a platform serves its sign-in page as: never a file's bytes (Slack without auth). */
  readonly refuseHtml?: boolean;
}

/** Downloads one file a person attached, bounded in size; never logs or returns the URL. */
export async function fetchFile(
  url: string,
  name: string,
  options: FetchFileOptions,
): Promise<FileBytes> {
  const response = await fetch(url, {
    headers: options.headers ?? {},
    redirect: 'follow',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!response.ok)
    throw new ParleyError('PLATFORM_UNAVAILABLE', `file download failed (${response.status})`);
  const mimeType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  if (options.refuseHtml === true && mimeType === 'text/html' && !/\.html?$/i.test(name)) {
    await response.body?.cancel();
    throw new ParleyError('PLATFORM_UNAVAILABLE', 'file download answered with a sign-in page');
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw new RangeError('file over the limit');
  }
  return {
    name,
    mimeType: mimeType || 'application/octet-stream',
    bytes: await readAtMost(response, options.maxBytes),
  };
}

async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body === null) return new Uint8Array();
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new RangeError('file over the limit');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
