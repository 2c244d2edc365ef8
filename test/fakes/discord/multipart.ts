/**
 * Request bodies as Discord reads them ("Uploading Files"): JSON, or multipart/form-data with
 * the JSON in `payload_json` (or as plain form fields) and one `files[n]` part per upload, `n`
 * being the placeholder id the payload's `attachments` refer to.
 */
import { DiscordHttpError, errors } from './errors.js';
import type { Json } from './validate.js';

/** One `files[n]` part; `filename` is empty when the part's Content-Disposition had none. */
export interface UploadedFile {
  readonly field: string;
  /** The `n` of `files[n]`: the snowflake placeholder `attachments[].id` names. */
  readonly index: string;
  readonly filename: string;
  /** The part's Content-Type; empty when it sent none. */
  readonly contentType: string;
  readonly data: Buffer;
}

export interface ParsedBody {
  readonly body: unknown;
  readonly files: readonly UploadedFile[];
}

const FILE_FIELD_PATTERN = /^files\[(\d+)\]$/;
const PAYLOAD_FIELD = 'payload_json';

/** 50035 covers unreadable multipart bodies too ("Opcodes and Status Codes"). */
const invalidMultipart = () => new DiscordHttpError(400, 50035, 'Invalid Form Body');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw errors.invalidJson();
  }
}

async function readForm(raw: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalidMultipart();
  }
}

async function uploadOf(field: string, index: string, value: string | File) {
  if (typeof value === 'string') {
    return { field, index, filename: '', contentType: '', data: Buffer.from(value) };
  }
  const data = Buffer.from(await value.arrayBuffer());
  return { field, index, filename: value.name, contentType: value.type, data };
}

/** Splits a multipart body into the JSON payload and the `files[n]` uploads (other parts are fields). */
async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  const form = await readForm(raw, contentType);
  const fields: Json = {};
  const files: UploadedFile[] = [];
  let payload: unknown;
  for (const [name, value] of form) {
    const index = FILE_FIELD_PATTERN.exec(name)?.[1];
    if (index !== undefined) files.push(await uploadOf(name, index, value));
    else if (name === PAYLOAD_FIELD) payload = parseJson(String(value));
    else if (typeof value === 'string') fields[name] = value;
  }
  return { body: payload ?? fields, files };
}

/** JSON or multipart/form-data; a DiscordHttpError (50109, 50035) when it cannot be read. */
export async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): Promise<ParsedBody | DiscordHttpError> {
  if (raw.length === 0) return { body: undefined, files: [] };
  try {
    if (contentType?.startsWith('multipart/form-data'))
      return await parseMultipart(raw, contentType);
    return { body: parseJson(raw.toString('utf8')), files: [] };
  } catch (error) {
    if (error instanceof DiscordHttpError) return error;
    throw error;
  }
}
