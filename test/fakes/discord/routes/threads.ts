import { errors } from '../errors.js';
import { requireChannel, requireMessage } from '../messaging.js';
import { param, type Route, type RouteContext } from '../router.js';
import type { FakeState, Writable } from '../state.js';
import type { FakeChannel } from '../types.js';
import { checkThreadBody, type Json, requireObject } from '../validate.js';
import { channelPayload } from '../wire.js';

/** Channel types a thread may be started in: GUILD_TEXT and GUILD_ANNOUNCEMENT. */
const THREAD_PARENT_TYPES: readonly number[] = [0, 5];
const PUBLIC_THREAD = 11;
const PRIVATE_THREAD = 12;
const ANNOUNCEMENT_THREAD = 10;

function openThread(
  state: FakeState,
  parent: FakeChannel,
  id: string,
  body: Json,
  type: FakeChannel['type'],
) {
  const thread: Writable<FakeChannel> = {
    ...state.blankChannel(id, type, parent.guildId),
    name: String(body.name),
    parentId: parent.id,
    ownerId: state.botUser.id,
    autoArchiveDuration:
      typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 4_320,
  };
  state.channels.set(thread.id, thread);
  state.threadsCreated.push(thread);
  const member = {
    id: thread.id,
    user_id: state.botUser.id,
    join_timestamp: new Date(state.now()).toISOString(),
    flags: 0,
  };
  // The creator is added to the thread, so THREAD_CREATE says so (Discord's `newly_created` + `member`).
  state.dispatch({
    t: 'THREAD_CREATE',
    d: { ...channelPayload(state, thread), newly_created: true, member },
    intent: 1,
    contentGated: false,
  });
  return thread;
}

function requireThreadParent(state: FakeState, channelId: string): FakeChannel {
  const parent = requireChannel(state, channelId);
  if (!THREAD_PARENT_TYPES.includes(parent.type)) throw errors.wrongChannelType();
  return parent;
}

/** Thread creation, from a message (thread id = message id) or standalone. */
export function threadRoutes(ctx: RouteContext): Route[] {
  const { state } = ctx;
  return [
    {
      method: 'POST',
      template: '/channels/{channel_id}/messages/{message_id}/threads',
      auth: true,
      major: 'channel_id',
      handle: (request) => {
        const parent = requireThreadParent(state, param(request, 'channel_id'));
        const message = requireMessage(state, parent.id, param(request, 'message_id'));
        const body = requireObject(request.body);
        checkThreadBody(body);
        if (message.threadId || state.channels.has(message.id)) throw errors.threadExists();
        const type = parent.type === 5 ? ANNOUNCEMENT_THREAD : PUBLIC_THREAD;
        const thread = openThread(state, parent, message.id, body, type);
        thread.starterMessageId = message.id;
        message.threadId = thread.id;
        return { status: 201, body: channelPayload(state, thread) };
      },
    },
    {
      method: 'POST',
      template: '/channels/{channel_id}/threads',
      auth: true,
      major: 'channel_id',
      handle: (request) => {
        const parent = requireThreadParent(state, param(request, 'channel_id'));
        const body = requireObject(request.body);
        checkThreadBody(body);
        const type = body.type === PUBLIC_THREAD ? PUBLIC_THREAD : PRIVATE_THREAD;
        return {
          status: 201,
          body: channelPayload(state, openThread(state, parent, state.nextId(), body, type)),
        };
      },
    },
  ];
}
