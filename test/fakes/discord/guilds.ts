/** Servers the bot joins and leaves while connected: GUILD_CREATE, and DELETE /users/@me/guilds/{id}. */
import { errors } from './errors.js';
import { INTENTS } from './intents.js';
import { noContent, param, type Route, type RouteContext } from './router.js';
import type { FakeState } from './state.js';
import type { FakeGuildInput } from './types.js';
import { guildCreatePayload } from './wire.js';

/** Someone adds the bot to a server: the guild appears and every session gets GUILD_CREATE. */
export function joinGuild(state: FakeState, input: FakeGuildInput): void {
  state.addGuild(input);
  const guild = state.guilds.get(input.id);
  if (guild === undefined) throw new Error(`fake-discord: guild ${input.id} not added`);
  state.dispatch({
    t: 'GUILD_CREATE',
    d: guildCreatePayload(state, guild),
    intent: INTENTS.guilds,
    contentGated: false,
  });
}

/**
 * The bot leaves a server: Discord answers 204 and sends GUILD_DELETE (no `unavailable`: the
 * bot was removed, not an outage). The guild, its channels and its members are gone for the bot.
 */
export function leaveGuild(state: FakeState, guildId: string): void {
  if (!state.guilds.delete(guildId)) throw errors.unknownGuild();
  for (const [id, channel] of state.channels)
    if (channel.guildId === guildId) state.channels.delete(id);
  for (const key of state.members.keys())
    if (key.startsWith(`${guildId}:`)) state.members.delete(key);
  state.guildsLeft.push(guildId);
  state.dispatch({
    t: 'GUILD_DELETE',
    d: { id: guildId },
    intent: INTENTS.guilds,
    contentGated: false,
  });
}

export function guildRoutes(ctx: RouteContext): Route[] {
  return [
    {
      method: 'DELETE',
      template: '/users/@me/guilds/{guild_id}',
      auth: true,
      handle: (request) => {
        leaveGuild(ctx.state, param(request, 'guild_id'));
        return noContent();
      },
    },
  ];
}
