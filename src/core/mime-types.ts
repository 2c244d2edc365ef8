/** The types of the files agents make and people send, by extension (lower case, no dot). */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  csv: 'text/csv',
  txt: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  pdf: 'application/pdf',
};

/** The images an agent can be shown (image chunks). */
export const VIEWABLE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
]);

/** A file type as an extension (`png`) or a file name (`plot.png`), as a MIME type if known. */
export function mimeTypeOf(extensionOrName: string): string | undefined {
  const extension = extensionOrName.split('.').at(-1)?.toLowerCase() ?? '';
  return BY_EXTENSION[extension];
}
