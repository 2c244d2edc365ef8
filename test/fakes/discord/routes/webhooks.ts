import { randomBytes } from 'node:crypto';
import { errors, invalidFormBody } from '../errors.js';
import { deleteMessage, editMessage, postMessage, requireChannel } from '../messaging.js';
import {
  noContent,
  ok,
  param,
  type Route,
  type RouteContext,
  type RouteRequest,
  type RouteResult,
} from '../router.js';
import type { FakeState } from '../state.js';
import type { FakeChannel, FakeWebhook } from '../types.js';
import { requireObject, webhookNameErrors } from '../validate.js';
import { messagePayload, webhookPayload } from '../wire.js';
import { interactionWebhook } from './interactions.js';

/** Discord allows 15 webhooks per channel. */
const MAX_WEBHOOKS_PER_CHANNEL = 15;

function channelWebhooks(state: FakeState, channelId: string): FakeWebhook[] {
  return [...state.webhooks.values()].filter((w) => w.channelId === channelId);
}

/** The webhook named by `{webhook_id}/{webhook_token}`; a wrong token is 401 50027. */
function requireWebhook(state: FakeState, request: RouteRequest): FakeWebhook {
  const webhook = state.webhooks.get(param(request, 'webhook_id'));
  if (!webhook) throw errors.unknownWebhook();
  if (webhook.token !== param(request, 'webhook_token')) throw errors.invalidWebhookToken();
  return webhook;
}

/** `thread_id` must name a thread of the webhook's channel; without it, the channel itself. */
function targetChannel(state: FakeState, webhook: FakeWebhook, request: RouteRequest): FakeChannel {
  const threadId = request.query.get('thread_id');
  if (!threadId) return requireChannel(state, webhook.channelId);
  const thread = state.channels.get(threadId);
  if (!thread || thread.parentId !== webhook.channelId) throw errors.unknownChannel();
  return thread;
}

function createWebhook(state: FakeState, request: RouteRequest) {
  const channel = requireChannel(state, param(request, 'channel_id'));
  if (channel.guildId === null || state.isThread(channel)) throw errors.wrongChannelType();
  const body = requireObject(request.body);
  const invalid = invalidFormBody(webhookNameErrors(body.name, 'name', true));
  if (invalid) throw invalid;
  if (channelWebhooks(state, channel.id).length >= MAX_WEBHOOKS_PER_CHANNEL)
    throw errors.maxWebhooks();
  const webhook: FakeWebhook = {
    id: state.nextId(),
    token: randomBytes(34).toString('base64url'),
    channelId: channel.id,
    guildId: channel.guildId,
    name: String(body.name),
    avatar: null,
  };
  state.webhooks.set(webhook.id, webhook);
  return ok(webhookPayload(state, webhook));
}

function executeWebhook(state: FakeState, request: RouteRequest) {
  const webhook = requireWebhook(state, request);
  const channel = targetChannel(state, webhook, request);
  const body = requireObject(request.body);
  const invalid = invalidFormBody(webhookNameErrors(body.username, 'username', false));
  if (invalid) throw invalid;
  const persona = {
    webhookId: webhook.id,
    username: typeof body.username === 'string' ? body.username : webhook.name,
    avatarUrl: typeof body.avatar_url === 'string' ? body.avatar_url : null,
  };
  const author = { id: webhook.id, username: persona.username, globalName: null, bot: true };
  const message = postMessage(state, { channel, author, body, persona, files: request.files });
  return request.query.get('wait') === 'true' ? ok(messagePayload(state, message)) : noContent();
}

/** The webhook's own message in the addressed channel or thread; others are 10008. */
function webhookMessage(state: FakeState, request: RouteRequest) {
  const webhook = requireWebhook(state, request);
  const channel = targetChannel(state, webhook, request);
  const message = state.messages.get(param(request, 'message_id'));
  if (
    !message ||
    message.deleted ||
    message.channelId !== channel.id ||
    message.persona?.webhookId !== webhook.id
  ) {
    throw errors.unknownMessage();
  }
  return message;
}

/** Channel webhooks (create, list) and executing/editing through a webhook token. */
export function webhookRoutes(ctx: RouteContext): Route[] {
  const { state } = ctx;
  const tokenRoute = '/webhooks/{webhook_id}/{webhook_token}';
  // `/webhooks/{application_id}/{interaction_token}` shares the path: those are interaction followups.
  const either =
    (
      forInteraction: (s: FakeState, r: RouteRequest) => RouteResult,
      forWebhook: (r: RouteRequest) => RouteResult,
    ) =>
    (request: RouteRequest) =>
      param(request, 'webhook_id') === state.applicationId
        ? forInteraction(state, request)
        : forWebhook(request);
  return [
    {
      method: 'POST',
      template: '/channels/{channel_id}/webhooks',
      auth: true,
      major: 'channel_id',
      handle: (r) => createWebhook(state, r),
    },
    {
      method: 'GET',
      template: '/channels/{channel_id}/webhooks',
      auth: true,
      major: 'channel_id',
      handle: (request) => {
        const channel = requireChannel(state, param(request, 'channel_id'));
        return ok(channelWebhooks(state, channel.id).map((w) => webhookPayload(state, w)));
      },
    },
    {
      method: 'POST',
      template: tokenRoute,
      auth: false,
      major: 'webhook_id',
      handle: either(interactionWebhook.execute, (r) => executeWebhook(state, r)),
    },
    {
      method: 'GET',
      template: `${tokenRoute}/messages/{message_id}`,
      auth: false,
      major: 'webhook_id',
      handle: either(interactionWebhook.get, (r) =>
        ok(messagePayload(state, webhookMessage(state, r))),
      ),
    },
    {
      method: 'PATCH',
      template: `${tokenRoute}/messages/{message_id}`,
      auth: false,
      major: 'webhook_id',
      handle: either(interactionWebhook.edit, (request) => {
        const message = webhookMessage(state, request);
        const body = requireObject(request.body);
        return ok(messagePayload(state, editMessage(state, message, body, request.files)));
      }),
    },
    {
      method: 'DELETE',
      template: `${tokenRoute}/messages/{message_id}`,
      auth: false,
      major: 'webhook_id',
      handle: either(interactionWebhook.delete, (request) => {
        deleteMessage(state, webhookMessage(state, request));
        return noContent();
      }),
    },
  ];
}
