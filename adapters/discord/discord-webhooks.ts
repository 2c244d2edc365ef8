import type { Client, TextChannel, Webhook } from 'discord.js';

// One webhook per channel, named so Parley finds its own again after a restart.
export const PERSONA_WEBHOOK_NAME = 'Parley personas';

/** The channel webhook personas post through: found or created once per channel, then reused. */
export function createPersonaWebhooks(client: Client) {
  const byChannel = new Map<string, Promise<Webhook>>();
  const findOrCreate = async (channel: TextChannel): Promise<Webhook> => {
    const hooks = await channel.fetchWebhooks();
    const own = hooks.find(
      (hook) => hook.name === PERSONA_WEBHOOK_NAME && hook.owner?.id === client.user?.id,
    );
    return (
      own ??
      (await channel.createWebhook({
        name: PERSONA_WEBHOOK_NAME,
        reason: 'Parley role-play personas',
      }))
    );
  };
  return {
    forChannel(channel: TextChannel): Promise<Webhook> {
      const cached = byChannel.get(channel.id);
      if (cached !== undefined) return cached;
      const created = findOrCreate(channel);
      byChannel.set(channel.id, created);
      created.catch(() => byChannel.delete(channel.id));
      return created;
    },
  };
}
