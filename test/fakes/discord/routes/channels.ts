import { errors, fieldError, invalidFormBody } from '../errors.js';
import {
  deleteMessage,
  editMessage,
  postMessage,
  requireChannel,
  requireMessage,
} from '../messaging.js';
import {
  noContent,
  ok,
  param,
  type Route,
  type RouteContext,
  type RouteRequest,
} from '../router.js';
import { requireObject } from '../validate.js';
import { channelPayload, messagePayload } from '../wire.js';

/** GET /channels/{id}/messages: `limit` is 1–100 (default 50). */
const MAX_FETCH_LIMIT = 100;
const DEFAULT_FETCH_LIMIT = 50;

function fetchLimit(request: RouteRequest): number {
  const raw = request.query.get('limit');
  const limit = raw === null ? DEFAULT_FETCH_LIMIT : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FETCH_LIMIT) {
    const error = invalidFormBody([
      fieldError(
        ['limit'],
        'NUMBER_TYPE_MAX',
        `int value should be less than or equal to ${MAX_FETCH_LIMIT}.`,
      ),
    ]);
    if (error) throw error;
  }
  return limit;
}

/** Snowflakes order by time, so comparing them as integers orders messages. */
const byId = (a: { id: string }, b: { id: string }) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);

function listMessages(ctx: RouteContext, request: RouteRequest) {
  const channel = requireChannel(ctx.state, param(request, 'channel_id'));
  const limit = fetchLimit(request);
  const before = request.query.get('before');
  const after = request.query.get('after');
  let found = ctx.state.channelMessages(channel.id).sort(byId);
  if (before) found = found.filter((m) => BigInt(m.id) < BigInt(before));
  if (after) found = found.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit);
  // Discord returns the newest first whatever the anchor.
  const page = after ? found : found.slice(-limit);
  return ok(page.reverse().map((m) => messagePayload(ctx.state, m)));
}

/** Channel and message routes: read, post, edit, delete, typing. */
export function channelRoutes(ctx: RouteContext): Route[] {
  const { state } = ctx;
  const messageRoute = (request: RouteRequest) => {
    const channel = requireChannel(state, param(request, 'channel_id'));
    return { channel, message: requireMessage(state, channel.id, param(request, 'message_id')) };
  };
  return [
    {
      method: 'GET',
      template: '/channels/{channel_id}',
      auth: true,
      major: 'channel_id',
      handle: (request) =>
        ok(channelPayload(state, requireChannel(state, param(request, 'channel_id')))),
    },
    {
      method: 'POST',
      template: '/channels/{channel_id}/messages',
      auth: true,
      major: 'channel_id',
      ...(ctx.messageRateLimit ? { limit: ctx.messageRateLimit } : {}),
      handle: (request) => {
        const channel = requireChannel(state, param(request, 'channel_id'));
        const message = postMessage(state, {
          channel,
          author: state.botUser,
          body: requireObject(request.body),
          files: request.files,
        });
        return ok(messagePayload(state, message));
      },
    },
    {
      method: 'GET',
      template: '/channels/{channel_id}/messages',
      auth: true,
      major: 'channel_id',
      handle: (request) => listMessages(ctx, request),
    },
    {
      method: 'GET',
      template: '/channels/{channel_id}/messages/{message_id}',
      auth: true,
      major: 'channel_id',
      handle: (request) => ok(messagePayload(state, messageRoute(request).message)),
    },
    {
      method: 'PATCH',
      template: '/channels/{channel_id}/messages/{message_id}',
      auth: true,
      major: 'channel_id',
      handle: (request) => {
        const { message } = messageRoute(request);
        if (message.author.id !== state.botUser.id || message.persona) throw errors.editOthers();
        const body = requireObject(request.body);
        return ok(messagePayload(state, editMessage(state, message, body, request.files)));
      },
    },
    {
      method: 'DELETE',
      template: '/channels/{channel_id}/messages/{message_id}',
      auth: true,
      major: 'channel_id',
      handle: (request) => {
        const { channel, message } = messageRoute(request);
        // Deleting someone else's message needs MANAGE_MESSAGES, which no one has in a DM.
        if (channel.type === 1 && message.author.id !== state.botUser.id) throw errors.dmAction();
        deleteMessage(state, message);
        return noContent();
      },
    },
    {
      method: 'POST',
      template: '/channels/{channel_id}/typing',
      auth: true,
      major: 'channel_id',
      handle: (request) => {
        const channel = requireChannel(state, param(request, 'channel_id'));
        state.typing.push({ channelId: channel.id, at: state.now() });
        return noContent();
      },
    },
  ];
}
