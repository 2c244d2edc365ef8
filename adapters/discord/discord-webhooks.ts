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
  /** The webhook to post into a thread (or channel) through: found or created once, then reused. */
  forThread(channelId: string): Promise<PersonaHook>;
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

/** Persona webhooks over REST, so any process (gateway or worker) can post personas. */
export function createPersonaWebhooks(
  rest: REST,
  botUserId: () => Promise<string>,
): PersonaWebhooks {
  const byChannel = new Map<string, Promise<{ id: string; token: string }>>();
  // A thread's parent never changes: look it up once.
  const parents = new Map<string, Promise<string | undefined>>();

  function parentOf(channelId: string): Promise<string | undefined> {
    const known = parents.get(channelId);
    if (known !== undefined) return known;
    const found = (rest.get(Routes.channel(channelId)) as Promise<ApiChannel>).then((channel) =>
      THREAD_TYPES.has(channel.type) && typeof channel.parent_id === 'string'
        ? channel.parent_id
        : undefined,
    );
    parents.set(channelId, found);
    found.catch(() => parents.delete(channelId));
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
      const parent = await parentOf(channelId);
      const hook = await forChannel(parent ?? channelId);
      return { ...hook, threadQuery: parent === undefined ? {} : { thread_id: channelId } };
    },
  };
}
