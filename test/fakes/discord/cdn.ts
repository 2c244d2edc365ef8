/**
 * Discord's attachment CDN ("Signed Attachment CDN URLs"): every attachment URL carries `ex`
 * (expiry) and `is` (issue time) as hex Unix seconds and `hm`, a signature over the path and
 * both; the CDN serves the bytes only while the signature matches and `ex` is ahead, and answers
 * everything else with 404 "This content is no longer available.". The API signs afresh each
 * time it returns a message, so a fetched message always carries live URLs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeState } from './state.js';
import type { FakeAttachment, FakeDownloads } from './types.js';

/** Discord's attachment URLs have been observed to expire 24 h after they are issued. */
export const CDN_URL_LIFETIME_MS = 24 * 60 * 60 * 1_000;
const GONE = 'This content is no longer available.';
/** `media.discordapp.net` in production: the media proxy, here a path prefix on the same server. */
const MEDIA_PREFIX = '/media';
const ATTACHMENT_PATH = /^\/attachments\/(\d+)\/(\d+)\/([^/]+)$/;

/** The CDN's signing key, where its URLs point, and what it has served and refused. */
export class CdnLedger {
  /** `http://127.0.0.1:{port}`, set once the server listens. */
  origin = '';
  readonly secret = randomBytes(32);
  readonly byAttachment = new Map<string, { served: number; refused: number }>();
  readonly totals = { served: 0, refused: 0 };

  downloads(attachmentId: string): FakeDownloads {
    return { ...(this.byAttachment.get(attachmentId) ?? { served: 0, refused: 0 }) };
  }

  count(attachmentId: string | undefined, isServed: boolean): void {
    const key = isServed ? 'served' : 'refused';
    this.totals[key] += 1;
    if (attachmentId === undefined) return;
    const counts = this.byAttachment.get(attachmentId) ?? { served: 0, refused: 0 };
    counts[key] += 1;
    this.byAttachment.set(attachmentId, counts);
  }
}

const hexSeconds = (ms: number): string => Math.floor(ms / 1_000).toString(16);

function signature(ledger: CdnLedger, path: string, ex: string, is: string): string {
  return createHmac('sha256', ledger.secret).update(`${path}\n${ex}\n${is}`).digest('hex');
}

/** `url` and `proxy_url`, signed now and valid for CDN_URL_LIFETIME_MS. */
export function attachmentUrls(
  state: FakeState,
  channelId: string,
  attachment: FakeAttachment,
): { url: string; proxy_url: string } {
  const path = `/attachments/${channelId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`;
  const now = state.now();
  const is = hexSeconds(now);
  const ex = hexSeconds(now + CDN_URL_LIFETIME_MS);
  // Discord's URLs end with a bare `&`; clients keep it, so the fake does too.
  const query = `?ex=${ex}&is=${is}&hm=${signature(state.cdn, path, ex, is)}&`;
  const { origin } = state.cdn;
  return { url: `${origin}${path}${query}`, proxy_url: `${origin}${MEDIA_PREFIX}${path}${query}` };
}

export function isCdnRequest(url: string | undefined): boolean {
  const path = url ?? '';
  return path.startsWith('/attachments/') || path.startsWith(`${MEDIA_PREFIX}/attachments/`);
}

/** The attachment a CDN path names, while it is still on a live message of that channel. */
function findAttachment(state: FakeState, path: string): FakeAttachment | undefined {
  const [, channelId = '', attachmentId, filename = ''] = ATTACHMENT_PATH.exec(path) ?? [];
  const name = decodeURIComponent(filename);
  return state
    .channelMessages(channelId)
    .flatMap((message) => message.attachments)
    .find((attachment) => attachment.id === attachmentId && attachment.filename === name);
}

function isSigned(state: FakeState, path: string, query: URLSearchParams): boolean {
  const [ex, is, hm] = [query.get('ex'), query.get('is'), query.get('hm')];
  if (!ex || !is || !hm || Number.parseInt(ex, 16) * 1_000 <= state.now()) return false;
  const expected = Buffer.from(signature(state.cdn, path, ex, is));
  const given = Buffer.from(hm);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** GET on an attachment URL: the bytes with their type, or 404 as Discord's CDN answers. */
export function serveCdn(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const url = new URL(request.url ?? '/', 'http://fake.invalid');
  const path = url.pathname.startsWith(`${MEDIA_PREFIX}/`)
    ? url.pathname.slice(MEDIA_PREFIX.length)
    : url.pathname;
  const attachment = request.method === 'GET' ? findAttachment(state, path) : undefined;
  const isServed = attachment !== undefined && isSigned(state, path, url.searchParams);
  state.cdn.count(attachment?.id, isServed);
  if (!attachment || !isServed) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(GONE);
  } else {
    response.writeHead(200, {
      'content-type': attachment.contentType,
      'content-length': attachment.size,
    });
    response.end(attachment.data);
  }
  state.changed();
}
