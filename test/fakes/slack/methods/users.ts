/** auth.test and users.info. */
import { type Args, stringArg } from '../args.js';
import type { FakeUser } from '../types.js';
import { fail, type MethodContext, type MethodResult } from './method.js';

export function authTest(context: MethodContext): MethodResult {
  const { teamId, teamDomain, botUserId, botId, botName } = context.workspace.identity;
  return {
    ok: true,
    url: `https://${teamDomain}.slack.com/`,
    team: teamDomain,
    user: botName,
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    is_enterprise_install: false,
  };
}

function userObject(user: FakeUser, context: MethodContext): Record<string, unknown> {
  const { teamId, botUserId, botId } = context.workspace.identity;
  const realName = user.realName ?? user.name;
  return {
    id: user.id,
    team_id: teamId,
    name: user.name,
    real_name: realName,
    deleted: false,
    is_bot: user.isBot ?? false,
    is_app_user: false,
    is_admin: user.isAdmin === true || user.isOwner === true,
    is_owner: user.isOwner === true,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: user.displayName ?? '',
      display_name_normalized: user.displayName ?? '',
      team: teamId,
      ...(user.id === botUserId ? { bot_id: botId } : {}),
    },
  };
}

export function usersInfo(context: MethodContext, args: Args): MethodResult {
  const id = stringArg(args, 'user');
  const user = id === undefined ? undefined : context.workspace.users.get(id);
  if (user === undefined) return fail('user_not_found');
  return { ok: true, user: userObject(user, context) };
}
