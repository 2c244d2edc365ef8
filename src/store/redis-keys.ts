/** Every Redis key and channel Parley uses, built in one place (STYLE: one key builder). */

/** What a key names; per-thread names share the thread's hash tag so they live in one cluster slot. */
export type RedisName =
  | { readonly kind: 'history'; readonly thread: string }
  | { readonly kind: 'conversation'; readonly thread: string }
  | { readonly kind: 'turns'; readonly thread: string }
  | { readonly kind: 'turnseq'; readonly thread: string }
  | { readonly kind: 'turn'; readonly thread: string; readonly token: string }
  | { readonly kind: 'released'; readonly thread: string }
  | { readonly kind: 'settings'; readonly scope: string }
  | { readonly kind: 'claim'; readonly key: string }
  | { readonly kind: 'play'; readonly thread: string }
  | { readonly kind: 'plays-running' }
  | { readonly kind: 'plays-running-in'; readonly channel: string }
  | { readonly kind: 'plays-running-by'; readonly person: string }
  | { readonly kind: 'rate'; readonly person: string }
  | { readonly kind: 'rate-quiet'; readonly person: string }
  | { readonly kind: 'last-post'; readonly thread: string }
  | { readonly kind: 'journal'; readonly job: string }
  | { readonly kind: 'here-due' }
  | { readonly kind: 'here-jobs' }
  | { readonly kind: 'documents' };

/** The full key (or pub/sub channel) for a name, e.g. `parley:{slack:T:C:ts}:history`. */
export function redisKey(prefix: string, name: RedisName): string {
  switch (name.kind) {
    case 'history':
    case 'conversation':
    case 'turns':
    case 'turnseq':
    case 'released':
      return `${prefix}{${name.thread}}:${name.kind}`;
    case 'turn':
      return `${prefix}{${name.thread}}:turn:${name.token}`;
    case 'settings':
      return `${prefix}settings:${name.scope}`;
    case 'claim':
      return `${prefix}claim:${name.key}`;
    case 'play':
      return `${prefix}{${name.thread}}:play`;
    case 'plays-running':
      return `${prefix}plays:running`;
    case 'plays-running-in':
      return `${prefix}plays:running:${name.channel}`;
    case 'plays-running-by':
      return `${prefix}plays:by:${name.person}`;
    case 'rate':
      return `${prefix}rate:${name.person}`;
    case 'rate-quiet':
      return `${prefix}rate:${name.person}:quiet`;
    case 'last-post':
      return `${prefix}{${name.thread}}:${name.kind}`;
    case 'journal':
      return `${prefix}journal:${name.job}`;
    case 'here-due':
      return `${prefix}here:due`;
    case 'here-jobs':
      return `${prefix}here:jobs`;
    case 'documents':
      return `${prefix}documents`;
  }
}
