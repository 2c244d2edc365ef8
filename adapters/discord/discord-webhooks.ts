import { type REST, Routes } from 'discord.js';

// One webhook per channel, named so Parley finds its own again after a restart.
export const PERSONA_WEBHOOK_NAME = 'Parley personas';

/** A channel webhook and, when posting into a thread of that channel, the thread to name. */
export interface PersonaHook {
  readonly id: string;
  readonly token: string;
  readonly threadQuery: Readonly<Record<string, string>>;
}

export interface PersonaWebhooks {
  /**
   * The webhook to post into a thread (or channel) through: found or created once, then reused;
   * undefined in a DM, which takes no webhooks (the bot posts there as itself).
   */
  forThread(channelId: string): Promise<PersonaHook | undefined>;
}

interface ApiChannel {
  readonly id: string;
  readonly type: number;
  readonly parent_id?: string | null;
}
interface ApiWebhook {
  readonly id: string;
  readonly token?: string;
  readonly name: string | null;
  readonly user?: { readonly id: string };
  readonly application_id: string | null;
}

// Thread channel types (announcement, public, private): webhooks live on their parent.
const THREAD_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);
// DM and group DM: Discord has no webhooks there.
const DM_TYPES: ReadonlySet<number> = new Set([1, 3]);

/** Where a channel's webhook lives: on its parent (a thread), on itself, or nowhere (a DM). */
type HookPlace =
  | { readonly kind: 'parent'; readonly id: string }
  | { readonly kind: 'self' }
  | { readonly kind: 'none' };

/** Persona webhooks over REST, so any process (gateway or worker) can post personas. */
export function createPersonaWebhooks(
  rest: REST,
  botUserId: () => Promise<string>,
): PersonaWebhooks {
  const byChannel = new Map<string, Promise<{ id: string; token: string }>>();
  // A channel's type and a thread's parent never change: look them up once.
  const places = new Map<string, Promise<HookPlace>>();

  function placeOf(channelId: string): Promise<HookPlace> {
    const known = places.get(channelId);
    if (known !== undefined) return known;
    const found = (rest.get(Routes.channel(channelId)) as Promise<ApiChannel>).then(
      (channel): HookPlace => {
        if (DM_TYPES.has(channel.type)) return { kind: 'none' };
        if (THREAD_TYPES.has(channel.type) && typeof channel.parent_id === 'string')
          return { kind: 'parent', id: channel.parent_id };
        return { kind: 'self' };
      },
    );
    places.set(channelId, found);
    found.catch(() => places.delete(channelId));
    return found;
  }

  async function findOrCreate(channelId: string): Promise<{ id: string; token: string }> {
    const me = await botUserId();
    const hooks = (await rest.get(Routes.channelWebhooks(channelId))) as ApiWebhook[];
    const own = hooks.find(
      (hook) => hook.name === PERSONA_WEBHOOK_NAME && hook.user?.id === me && hook.token,
    );
    const hook =
      own ??
      ((await rest.post(Routes.channelWebhooks(channelId), {
        body: { name: PERSONA_WEBHOOK_NAME },
      })) as ApiWebhook);
    if (hook.token === undefined) throw new Error('Discord returned a webhook without a token');
    return { id: hook.id, token: hook.token };
  }

  function forChannel(channelId: string): Promise<{ id: string; token: string }> {
    const cached = byChannel.get(channelId);
    if (cached !== undefined) return cached;
    const created = findOrCreate(channelId);
    byChannel.set(channelId, created);
    created.catch(() => byChannel.delete(channelId));
    return created;
  }

  return {
    async forThread(channelId) {
      const place = await placeOf(channelId);
      if (place.kind === 'none') return undefined;
      if (place.kind === 'self') return { ...(await forChannel(channelId)), threadQuery: {} };
      return { ...(await forChannel(place.id)), threadQuery: { thread_id: channelId } };
    },
  };
}
