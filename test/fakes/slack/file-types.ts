/** What Slack infers from a file's name: `mimetype`, `filetype` and `pretty_type`. */

export interface FileKind {
  readonly mimetype: string;
  readonly filetype: string;
  readonly prettyType: string;
}

/** Slack's own values for the extensions Parley meets (images, plots, logs, code). */
const BY_EXTENSION: Readonly<Record<string, FileKind>> = {
  png: { mimetype: 'image/png', filetype: 'png', prettyType: 'PNG' },
  jpg: { mimetype: 'image/jpeg', filetype: 'jpg', prettyType: 'JPEG' },
  jpeg: { mimetype: 'image/jpeg', filetype: 'jpg', prettyType: 'JPEG' },
  gif: { mimetype: 'image/gif', filetype: 'gif', prettyType: 'GIF' },
  webp: { mimetype: 'image/webp', filetype: 'webp', prettyType: 'WebP' },
  svg: { mimetype: 'image/svg+xml', filetype: 'svg', prettyType: 'SVG' },
  pdf: { mimetype: 'application/pdf', filetype: 'pdf', prettyType: 'PDF' },
  txt: { mimetype: 'text/plain', filetype: 'text', prettyType: 'Plain Text' },
  log: { mimetype: 'text/plain', filetype: 'text', prettyType: 'Plain Text' },
  md: { mimetype: 'text/plain', filetype: 'markdown', prettyType: 'Markdown (raw)' },
  csv: { mimetype: 'text/csv', filetype: 'csv', prettyType: 'CSV' },
  json: { mimetype: 'application/json', filetype: 'json', prettyType: 'JSON' },
  py: { mimetype: 'text/plain', filetype: 'python', prettyType: 'Python' },
  ts: { mimetype: 'text/plain', filetype: 'typescript', prettyType: 'TypeScript' },
  js: { mimetype: 'text/plain', filetype: 'javascript', prettyType: 'JavaScript' },
  zip: { mimetype: 'application/zip', filetype: 'zip', prettyType: 'Zip' },
};

const BINARY: FileKind = {
  mimetype: 'application/octet-stream',
  filetype: 'binary',
  prettyType: 'Binary',
};

/** The kind Slack gives a file called `name`; `binary` when the extension says nothing. */
export function kindOf(name: string): FileKind {
  const dot = name.lastIndexOf('.');
  const extension = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  return BY_EXTENSION[extension] ?? BINARY;
}

/** A person's upload keeps the type their client sent; the rest still comes from the name. */
export function kindWithMimetype(name: string, mimetype: string | undefined): FileKind {
  const inferred = kindOf(name);
  return mimetype === undefined ? inferred : { ...inferred, mimetype };
}
