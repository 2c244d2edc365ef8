import { errors, fieldError, invalidFormBody } from '../errors.js';
import { deleteMessage, editMessage, postMessage, requireChannel } from '../messaging.js';
import type { UploadedFile } from '../multipart.js';
import {
  noContent,
  ok,
  param,
  type Route,
  type RouteContext,
  type RouteRequest,
  type RouteResult,
} from '../router.js';
import type { FakeState, Writable } from '../state.js';
import type { FakeInteraction, FakeMessage } from '../types.js';
import { isObject, type Json, requireObject } from '../validate.js';
import { messagePayload } from '../wire.js';

/** Interaction callback types (Discord "Interaction Response Type"). */
const CALLBACK = {
  message: 4,
  deferredMessage: 5,
  deferredUpdate: 6,
  updateMessage: 7,
  modal: 9,
  autocompleteResult: 8,
} as const;
/** Which callbacks each interaction type accepts: commands cannot update a message. */
const ALLOWED_CALLBACKS: Record<FakeInteraction['type'], readonly number[]> = {
  2: [CALLBACK.message, CALLBACK.deferredMessage, CALLBACK.modal],
  3: [
    CALLBACK.message,
    CALLBACK.deferredMessage,
    CALLBACK.deferredUpdate,
    CALLBACK.updateMessage,
    CALLBACK.modal,
  ],
  // Autocomplete is answered with choices, and only with choices.
  4: [CALLBACK.autocompleteResult],
};
/** Interaction tokens (followups, @original) stay valid for 15 minutes. */
const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60 * 1_000;
/** Message flag 1 << 7: the "… is thinking" placeholder of a deferred response. */
const LOADING_FLAG = 1 << 7;
const EPHEMERAL_FLAG = 1 << 6;
/** Message type CHAT_INPUT_COMMAND, used for a command's response. */
const CHAT_INPUT_COMMAND_TYPE = 20;

function findByToken(state: FakeState, token: string): Writable<FakeInteraction> | undefined {
  return [...state.interactions.values()].find((i) => i.token === token);
}

/** Callback rules: unknown → 10062; already answered → 40060; past the window → 10062. */
function requireAnswerable(ctx: RouteContext, request: RouteRequest): Writable<FakeInteraction> {
  const interaction = ctx.state.interactions.get(param(request, 'interaction_id'));
  if (!interaction || interaction.token !== param(request, 'interaction_token'))
    throw errors.unknownInteraction();
  if (interaction.acknowledged) throw errors.alreadyAcknowledged();
  if (interaction.expired || ctx.state.now() - interaction.createdAt > ctx.interactionWindowMs) {
    interaction.expired = true;
    throw errors.unknownInteraction();
  }
  return interaction;
}

function respond(
  state: FakeState,
  interaction: Writable<FakeInteraction>,
  type: number,
  data: Json,
  files: readonly UploadedFile[],
): FakeMessage | null {
  const channel = requireChannel(state, interaction.channelId);
  const author = state.botUser;
  const base = {
    channel,
    author,
    interactionId: interaction.id,
    type: interaction.type === 2 ? CHAT_INPUT_COMMAND_TYPE : 0,
  };
  if (type === CALLBACK.message) return postMessage(state, { ...base, body: data, files });
  if (type === CALLBACK.deferredMessage) {
    const flags = LOADING_FLAG | (typeof data.flags === 'number' ? data.flags & EPHEMERAL_FLAG : 0);
    return postMessage(state, { ...base, body: { flags }, placeholder: true });
  }
  const pressed = interaction.messageId ? state.messages.get(interaction.messageId) : undefined;
  if (type === CALLBACK.updateMessage && pressed) editMessage(state, pressed, data, files);
  return null;
}

function callback(ctx: RouteContext, request: RouteRequest): RouteResult {
  const interaction = requireAnswerable(ctx, request);
  const body = requireObject(request.body);
  if (typeof body.type !== 'number' || !ALLOWED_CALLBACKS[interaction.type].includes(body.type)) {
    const error = invalidFormBody([
      fieldError(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of the allowed types.'),
    ]);
    if (error) throw error;
  }
  const type = Number(body.type);
  const data = isObject(body.data) ? body.data : {};
  const message = respond(ctx.state, interaction, type, data, request.files);
  interaction.acknowledged = true;
  interaction.responseMessageId = message?.id ?? interaction.messageId;
  ctx.state.interactionResponses.push({
    interactionId: interaction.id,
    type,
    data,
    at: ctx.state.now(),
  });
  if (request.query.get('with_response') !== 'true') return noContent();
  return ok({
    interaction: {
      id: interaction.id,
      type: interaction.type,
      ...(message
        ? {
            response_message_id: message.id,
            response_message_loading: (message.flags & LOADING_FLAG) !== 0,
            response_message_ephemeral: (message.flags & EPHEMERAL_FLAG) !== 0,
          }
        : {}),
    },
    resource: { type, ...(message ? { message: messagePayload(ctx.state, message) } : {}) },
  });
}

/** An interaction webhook: the token must be live (15 min) and the interaction already answered. */
function requireInteractionWebhook(
  state: FakeState,
  request: RouteRequest,
): Writable<FakeInteraction> {
  const interaction = findByToken(state, param(request, 'webhook_token'));
  if (!interaction?.acknowledged) throw errors.unknownWebhook();
  if (state.now() - interaction.createdAt > INTERACTION_TOKEN_LIFETIME_MS)
    throw errors.invalidWebhookToken();
  return interaction;
}

function responseMessage(
  state: FakeState,
  interaction: FakeInteraction,
  messageId: string,
): Writable<FakeMessage> {
  const id = messageId === '@original' ? interaction.responseMessageId : messageId;
  const message = id ? state.messages.get(id) : undefined;
  const belongs =
    message?.interactionId === interaction.id || message?.id === interaction.messageId;
  if (!message || message.deleted || !belongs) throw errors.unknownMessage();
  return message;
}

/** Followups and @original, reached through `/webhooks/{application_id}/{token}`. */
export const interactionWebhook = {
  execute(state: FakeState, request: RouteRequest): RouteResult {
    const interaction = requireInteractionWebhook(state, request);
    const channel = requireChannel(state, interaction.channelId);
    const body = requireObject(request.body);
    return ok(
      messagePayload(
        state,
        postMessage(state, {
          channel,
          author: state.botUser,
          body,
          files: request.files,
          interactionId: interaction.id,
        }),
      ),
    );
  },
  get(state: FakeState, request: RouteRequest): RouteResult {
    const interaction = requireInteractionWebhook(state, request);
    return ok(
      messagePayload(state, responseMessage(state, interaction, param(request, 'message_id'))),
    );
  },
  edit(state: FakeState, request: RouteRequest): RouteResult {
    const interaction = requireInteractionWebhook(state, request);
    const message = responseMessage(state, interaction, param(request, 'message_id'));
    const body = requireObject(request.body);
    const flags = message.flags & ~LOADING_FLAG;
    const edited = editMessage(state, message, { ...body, flags }, request.files);
    return ok(messagePayload(state, edited));
  },
  delete(state: FakeState, request: RouteRequest): RouteResult {
    const interaction = requireInteractionWebhook(state, request);
    deleteMessage(state, responseMessage(state, interaction, param(request, 'message_id')));
    return noContent();
  },
};

/** POST /interactions/{id}/{token}/callback (no bot token: the interaction token authenticates). */
export function interactionRoutes(ctx: RouteContext): Route[] {
  return [
    {
      method: 'POST',
      template: '/interactions/{interaction_id}/{interaction_token}/callback',
      auth: false,
      major: 'interaction_id',
      handle: (request) => callback(ctx, request),
    },
  ];
}
