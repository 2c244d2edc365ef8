import { errors } from '../errors.js';
import { ok, param, type Route, type RouteContext, type RouteRequest } from '../router.js';
import type { FakeState } from '../state.js';
import type { FakeCommand } from '../types.js';
import { asArray, checkCommands, requireObject } from '../validate.js';
import { channelPayload, commandPayload, userPayload } from '../wire.js';

/** Discord's session-start budget per day for a small bot. */
const SESSION_START_TOTAL = 1_000;
const DAY_MS = 24 * 60 * 60 * 1_000;

function requireApplication(state: FakeState, request: RouteRequest): void {
  if (param(request, 'application_id') !== state.applicationId) throw errors.missingAccess();
}

/** Bulk overwrite: the new list replaces the scope's commands; a kept name keeps its id. */
function overwrite(state: FakeState, request: RouteRequest, guildId: string | null) {
  requireApplication(state, request);
  if (guildId !== null && !state.guilds.has(guildId)) throw errors.missingAccess();
  const incoming = checkCommands(request.body);
  const previous = state.commands.filter((c) => c.guildId === guildId);
  const next: FakeCommand[] = incoming.map((raw) => ({
    id: previous.find((c) => c.name === raw.name)?.id ?? state.nextId(),
    applicationId: state.applicationId,
    guildId,
    name: String(raw.name),
    description: typeof raw.description === 'string' ? raw.description : '',
    type: typeof raw.type === 'number' ? raw.type : 1,
    options: asArray(raw.options),
    raw,
  }));
  const kept = state.commands.filter((c) => c.guildId !== guildId);
  state.commands.splice(0, state.commands.length, ...kept, ...next);
  return ok(next.map(commandPayload));
}

function list(state: FakeState, request: RouteRequest, guildId: string | null) {
  requireApplication(state, request);
  return ok(state.commands.filter((c) => c.guildId === guildId).map(commandPayload));
}

/** Gateway discovery, users, DM channels and application commands. */
export function applicationRoutes(
  ctx: RouteContext,
  gatewayUrl: () => string,
  identifies: () => number,
): Route[] {
  const { state } = ctx;
  const commands = '/applications/{application_id}/commands';
  const guildCommands = '/applications/{application_id}/guilds/{guild_id}/commands';
  return [
    {
      method: 'GET',
      template: '/gateway/bot',
      auth: true,
      handle: () =>
        ok({
          url: gatewayUrl(),
          shards: 1,
          session_start_limit: {
            total: SESSION_START_TOTAL,
            remaining: SESSION_START_TOTAL - identifies(),
            reset_after: DAY_MS,
            max_concurrency: 1,
          },
        }),
    },
    {
      method: 'GET',
      template: '/users/@me',
      auth: true,
      handle: () => ok(userPayload(state.botUser)),
    },
    {
      method: 'GET',
      template: '/users/{user_id}',
      auth: true,
      handle: (request) => {
        const user = state.users.get(param(request, 'user_id'));
        if (!user) throw errors.unknownUser();
        return ok(userPayload(user));
      },
    },
    {
      method: 'POST',
      template: '/users/@me/channels',
      auth: true,
      handle: (request) => {
        const body = requireObject(request.body);
        const recipient =
          typeof body.recipient_id === 'string' ? state.users.get(body.recipient_id) : undefined;
        if (!recipient || recipient.id === state.botUser.id) throw errors.invalidRecipient();
        return ok(channelPayload(state, state.dmChannel(recipient.id)));
      },
    },
    { method: 'GET', template: commands, auth: true, handle: (r) => list(state, r, null) },
    { method: 'PUT', template: commands, auth: true, handle: (r) => overwrite(state, r, null) },
    {
      method: 'GET',
      template: guildCommands,
      auth: true,
      major: 'guild_id',
      handle: (r) => list(state, r, param(r, 'guild_id')),
    },
    {
      method: 'PUT',
      template: guildCommands,
      auth: true,
      major: 'guild_id',
      handle: (r) => overwrite(state, r, param(r, 'guild_id')),
    },
  ];
}
