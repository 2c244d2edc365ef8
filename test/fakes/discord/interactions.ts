import { randomBytes } from 'node:crypto';
import { memberPermissions } from './member-permissions.js';
import { requireChannel } from './messaging.js';
import type { FakeState, Writable } from './state.js';
import type { FakeChannel, FakeInteraction } from './types.js';
import { channelPayload, memberPayload, messagePayload, userPayload } from './wire.js';

/** A slash-command option value; its wire type is inferred (string 3, integer 4, boolean 5, number 10). */
export type OptionValue = string | number | boolean;

export interface SlashCommandInput {
  readonly name: string;
  readonly channelId: string;
  readonly userId: string;
  readonly options?: Readonly<Record<string, OptionValue>>;
  /** Wraps `options` in this subcommand (option type 1). */
  readonly subcommand?: string;
}

export interface ButtonInput {
  readonly channelId: string;
  readonly userId: string;
  readonly messageId: string;
  readonly customId: string;
}

/** Everyone-permissions the fake grants interaction members and the app (a decimal bitfield). */
const MEMBER_PERMISSIONS = '2248473465835073';
/** Discord's default upload limit (10 MiB) announced in every interaction. */
const ATTACHMENT_SIZE_LIMIT = 10_485_760;

function optionType(value: OptionValue): number {
  if (typeof value === 'string') return 3;
  if (typeof value === 'boolean') return 5;
  return Number.isInteger(value) ? 4 : 10;
}

function commandOptions(input: SlashCommandInput): unknown[] {
  const options = Object.entries(input.options ?? {}).map(([name, value]) => ({
    name,
    type: optionType(value),
    value,
  }));
  return input.subcommand ? [{ name: input.subcommand, type: 1, options }] : options;
}

/** The registered command an interaction invokes: guild commands first, then global ones. */
function registeredCommandId(state: FakeState, name: string, guildId: string | null): string {
  const command =
    state.commands.find((c) => c.name === name && c.guildId === guildId && guildId !== null) ??
    state.commands.find((c) => c.name === name && c.guildId === null);
  if (!command)
    throw new Error(`fake-discord: /${name} is not registered (PUT the commands first)`);
  return command.id;
}

/** The fields every interaction carries: who, where, token, permissions, context. */
function envelope(
  state: FakeState,
  record: FakeInteraction,
  channel: FakeChannel,
): Record<string, unknown> {
  const { guildId, userId } = record;
  const member = guildId ? memberPayload(state, guildId, userId) : undefined;
  return {
    id: record.id,
    application_id: state.applicationId,
    type: record.type,
    token: record.token,
    version: 1,
    channel_id: channel.id,
    channel: channelPayload(state, channel),
    ...(guildId
      ? {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          guild_locale: 'en-US',
          member: {
            ...(member ?? { user: userPayload(state.user(userId)), roles: [] }),
            permissions: memberPermissions(state, guildId, userId, MEMBER_PERMISSIONS),
          },
        }
      : { user: userPayload(state.user(userId)) }),
    app_permissions: MEMBER_PERMISSIONS,
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: guildId ? { '0': guildId } : { '1': userId },
    context: guildId ? 0 : 1,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
}

function newRecord(
  state: FakeState,
  type: 2 | 3 | 4,
  channel: FakeChannel,
  userId: string,
  messageId: string | null = null,
): Writable<FakeInteraction> {
  const record: Writable<FakeInteraction> = {
    id: state.nextId(),
    token: `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`,
    type,
    channelId: channel.id,
    guildId: channel.guildId,
    userId,
    messageId,
    createdAt: state.now(),
    responseMessageId: null,
    acknowledged: false,
    expired: false,
  };
  state.user(userId);
  state.interactions.set(record.id, record);
  return record;
}

/** Dispatches INTERACTION_CREATE for a chat-input command (interaction type 2). */
export function sendSlashCommand(state: FakeState, input: SlashCommandInput): FakeInteraction {
  const channel = requireChannel(state, input.channelId);
  const commandId = registeredCommandId(state, input.name, channel.guildId);
  const record = newRecord(state, 2, channel, input.userId);
  const data = {
    id: commandId,
    name: input.name,
    type: 1,
    options: commandOptions(input),
    ...(channel.guildId ? { guild_id: channel.guildId } : {}),
  };
  state.dispatch({
    t: 'INTERACTION_CREATE',
    d: { ...envelope(state, record, channel), data },
    intent: null,
    contentGated: false,
  });
  return record;
}

/** Someone typing in an autocomplete option: INTERACTION_CREATE type 4 with that option `focused`. */
export function sendAutocomplete(
  state: FakeState,
  input: SlashCommandInput & { readonly focused: string },
): FakeInteraction {
  const channel = requireChannel(state, input.channelId);
  const commandId = registeredCommandId(state, input.name, channel.guildId);
  const record = newRecord(state, 4, channel, input.userId);
  const focus = (option: { name: string }) =>
    option.name === input.focused ? { ...option, focused: true } : option;
  const options = commandOptions(input).map((option) => {
    const entry = option as { name: string; type: number; options?: { name: string }[] };
    return entry.type === 1
      ? { ...entry, options: (entry.options ?? []).map(focus) }
      : focus(entry);
  });
  const data = {
    id: commandId,
    name: input.name,
    type: 1,
    options,
    ...(channel.guildId ? { guild_id: channel.guildId } : {}),
  };
  state.dispatch({
    t: 'INTERACTION_CREATE',
    d: { ...envelope(state, record, channel), data },
    intent: null,
    contentGated: false,
  });
  return record;
}

/** Dispatches INTERACTION_CREATE for a button press on one of the bot's messages (type 3). */
export function sendButtonPress(state: FakeState, input: ButtonInput): FakeInteraction {
  const channel = requireChannel(state, input.channelId);
  const message = state.messages.get(input.messageId);
  if (!message || message.channelId !== channel.id) {
    throw new Error(`fake-discord: no message ${input.messageId} in channel ${channel.id}`);
  }
  const record = newRecord(state, 3, channel, input.userId, message.id);
  state.dispatch({
    t: 'INTERACTION_CREATE',
    d: {
      ...envelope(state, record, channel),
      data: { custom_id: input.customId, component_type: 2 },
      message: messagePayload(state, message),
    },
    intent: null,
    contentGated: false,
  });
  return record;
}
