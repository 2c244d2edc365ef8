/**
 * The fake's `files.slack.com`: upload URLs take an app's bytes, and `url_private` /
 * `url_private_download` serve a file only to a request that carries the bot token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FILES_PATH } from './file-store.js';
import { bearerToken, mediaType, sendText } from './http-io.js';
import type { Workspace } from './workspace.js';

export interface FileHostDeps {
  readonly workspace: Workspace;
  readonly botToken: string;
}

// `/files-pri/<team>-<file>/<name>`, or `/files-pri/<team>-<file>/download/<name>`.
const FILE_PATH_PATTERN = new RegExp(`^${FILES_PATH}([A-Z0-9]+)-(F[A-Z0-9]+)/(download/)?[^/]+$`);

function signInPage(teamDomain: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Slack</title></head>',
    `<body><h1>Sign in to ${teamDomain}</h1>`,
    `<form action="https://${teamDomain}.slack.com/" method="post">`,
    '<input type="email" name="email"><button type="submit">Sign In</button></form>',
    '</body></html>',
  ].join('\n');
}

/** The file part of a multipart body (WebClient names it `body`, curl examples `filename`), or the raw body. */
async function uploadedBytes(request: IncomingMessage, raw: Buffer): Promise<Buffer | undefined> {
  if (mediaType(request) !== 'multipart/form-data') return raw;
  const headers = { 'content-type': request.headers['content-type'] ?? '' };
  try {
    const form = await new Response(new Uint8Array(raw), { headers }).formData();
    for (const [, value] of form) {
      if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * `POST <upload_url>`: stores the bytes and answers `OK - <length>` as Slack does. An unknown URL,
 * or one whose file is already completed, is a 404. Bytes that differ from the declared `length`
 * are refused with a 400: Slack leaves that case undocumented, and the fake would rather catch it.
 */
export async function handleUpload(
  deps: FileHostDeps,
  request: IncomingMessage,
  response: ServerResponse,
  raw: Buffer,
  key: string,
): Promise<void> {
  const file = deps.workspace.files.pendingUpload(key);
  if (file === undefined) return sendText(response, 404, 'Not Found');
  if (request.method !== 'POST') return sendText(response, 405, 'Method Not Allowed');
  const bytes = await uploadedBytes(request, raw);
  if (bytes === undefined) return sendText(response, 400, 'no file data');
  if (bytes.length !== file.declaredLength) {
    return sendText(response, 400, `length mismatch: declared ${file.declaredLength}`);
  }

  file.bytes = bytes;
  file.state = 'uploaded';
  deps.workspace.changed();
  sendText(response, 200, `OK - ${bytes.length}`);
}

/**
 * `GET url_private[_download]`: the bytes for `Authorization: Bearer <bot token>`. Without it, or
 * with a wrong token, Slack answers 200 with its HTML sign-in page — the trap an app must not
 * mistake for the file.
 */
export function handleFileDownload(
  deps: FileHostDeps,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
): void {
  const { workspace } = deps;
  const match = FILE_PATH_PATTERN.exec(pathname);
  const id = match?.[1] === workspace.identity.teamId ? match[2] : undefined;
  const file = id === undefined ? undefined : workspace.files.get(id);
  const isReadable = request.method === 'GET' || request.method === 'HEAD';
  if (file?.state !== 'completed' || !isReadable) {
    sendText(response, 404, 'Not Found');
    return;
  }

  const isAuthorized = bearerToken(request) === deps.botToken;
  workspace.files.countDownload(file.id, isAuthorized);
  workspace.changed();
  const body = (content: string | Buffer) => (request.method === 'HEAD' ? undefined : content);
  if (!isAuthorized) {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body(signInPage(workspace.identity.teamDomain)));
    return;
  }
  const bytes = file.bytes ?? Buffer.alloc(0);
  const isDownload = match?.[3] !== undefined;
  response.writeHead(200, {
    'content-type': file.kind.mimetype,
    'content-length': bytes.length,
    ...(isDownload ? { 'content-disposition': `attachment; filename="${file.name}"` } : {}),
  });
  response.end(body(bytes));
}
