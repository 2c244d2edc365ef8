/** What Discord works out about an uploaded file: its stored name, media type and image size. */

/** Types Discord reports for common extensions when the upload's own type says nothing. */
const TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  json: 'application/json',
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  py: 'text/x-python',
  js: 'text/javascript',
  html: 'text/html',
};
/** The type browsers and undici give a Blob without one; Discord sniffs past it. */
const OCTET_STREAM = 'application/octet-stream';
const WHITESPACE = /\s+/g;
const UNSAFE_FILENAME_CHARS = /[^\w.-]/g;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** JPEG start-of-frame markers (SOF0–SOF15 without DHT, JPG and DAC), which carry the size. */
const JPEG_SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
]);

/** Discord's stored filename: whitespace becomes `_`, other unsafe characters are dropped. */
export function sanitizeFilename(name: string): { filename: string; title: string | null } {
  const spaced = name.replace(WHITESPACE, '_');
  const filename = spaced.replace(UNSAFE_FILENAME_CHARS, '') || 'unknown';
  return { filename, title: filename === spaced ? null : name };
}

/** The upload's type, else one by extension; text types carry `charset=utf-8`, as Discord's do. */
export function mediaType(declared: string, filename: string): string {
  const extension = filename.split('.').at(-1)?.toLowerCase() ?? '';
  const base =
    declared && declared !== OCTET_STREAM
      ? declared
      : (TYPES_BY_EXTENSION[extension] ?? OCTET_STREAM);
  return base.startsWith('text/') && !base.includes('charset') ? `${base}; charset=utf-8` : base;
}

function jpegSize(data: Buffer): { width: number; height: number } | null {
  let offset = 2;
  while (offset + 9 < data.length && data[offset] === 0xff) {
    const marker = data[offset + 1] ?? 0;
    if (JPEG_SOF_MARKERS.has(marker)) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + data.readUInt16BE(offset + 2);
  }
  return null;
}

/** Width and height of a PNG, GIF or JPEG, read from its header; null for anything else. */
export function imageSize(data: Buffer): { width: number; height: number } | null {
  if (data.length >= 24 && data.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (data.length >= 10 && data.subarray(0, 3).toString('latin1') === 'GIF') {
    return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) return jpegSize(data);
  return null;
}
