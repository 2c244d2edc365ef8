import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, vi } from 'vitest';
import type { Message, ThreadRef } from '../../src/core/model.js';
import { silentLogger } from '../../src/log/logger.js';
import { createRedisConversationStore } from '../../src/store/redis-store.js';
import { type DiscordRig, startDiscordRig } from '../adapters/discord/discord-harness.js';
import { DEFAULT_IDS, type FakeDiscordOptions, type FakeMessage } from '../fakes/discord/index.js';
import { rawRedis, redisUrl, uniqueKeyPrefix } from '../setup/redis.js';

export const GUILD = DEFAULT_IDS.guild;
export const GENERAL = DEFAULT_IDS.general;
export const ALICE = DEFAULT_IDS.alice;
export const PLANNER_AVATAR = 'https://avatars.example/planner.png';
export const ANALYST_AVATAR = 'https://avatars.example/analyst.png';
// A ceiling for condition waits, not a pace: each ends as soon as its condition holds.
const WAIT_MS = 15_000;

/** Parley on the real discord.js and Mistral SDK against the fakes, its history in the test Redis. */
export interface FeatureRig extends DiscordRig {
  /** The Redis key prefix this rig's store writes under. */
  readonly prefix: string;
}

/** Opens rigs for one test file's tests; each is closed after its test. */
export function useFeatureRigs(): (discord?: FakeDiscordOptions) => Promise<FeatureRig> {
  const opened: FeatureRig[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((rig) => rig.close()));
  });
  return async (discord) => {
    const rig = await startFeatureRig(discord);
    opened.push(rig);
    return rig;
  };
}

/**
 * Starts Parley with a JSON roster (`AGENTS`): the main agent is the Planner, the other one the
 * Analyst, each with an avatar.
 */
export async function startFeatureRig(discord: FakeDiscordOptions = {}): Promise<FeatureRig> {
  const prefix = uniqueKeyPrefix();
  const store = createRedisConversationStore({
    url: redisUrl(),
    limits: { maxMessages: 50, maxChars: 64_000, ttlMs: 60_000 },
    keyPrefix: prefix,
    logger: silentLogger,
  });
  const folder = await mkdtemp(join(tmpdir(), 'parley-roster-'));
  const roster = join(folder, 'agents.json');
  await writeFile(
    roster,
    JSON.stringify({
      main: { id: 'ag:discord:main', name: 'Planner', avatar: PLANNER_AVATAR },
      analyst: { id: 'ag:discord:other', name: 'Analyst', avatar: ANALYST_AVATAR },
    }),
  );
  const rig = await startDiscordRig(discord, { store }, { AGENTS: roster });
  return {
    ...rig,
    prefix,
    async close() {
      await rig.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** Alice mentions Parley in #general (Parley opens a thread on that message: the same id). */
export function mention(
  rig: DiscordRig,
  content: string,
  attachments: Parameters<DiscordRig['discord']['sendMessage']>[0]['attachments'] = [],
): FakeMessage {
  return rig.discord.sendMessage({
    channelId: GENERAL,
    authorId: ALICE,
    content,
    mentionsBot: true,
    attachments,
  });
}

/** Where a conversation sits: by default a thread Parley opened in #general. */
type Place = { readonly workspace: string; readonly channel: string };

/** The conversation of a thread Parley opened on a mention (or of a DM, given its place). */
export function threadOf(threadId: string, place?: Place): ThreadRef {
  const { workspace, channel } = place ?? { workspace: GUILD, channel: GENERAL };
  return { platform: 'discord', workspace, channel, thread: threadId };
}

/** Resolves with the conversation's history once the answer to `messageId` is recorded (the reply is done). */
export async function answered(
  rig: DiscordRig,
  threadId: string,
  messageId: string,
  place?: Place,
) {
  const reply = `${messageId}:reply`;
  return vi.waitFor(
    async () => {
      const history = await rig.core.store.history(threadOf(threadId, place));
      if (!history.some((line) => line.id === reply)) throw new Error(`no answer to ${messageId}`);
      return history;
    },
    { timeout: WAIT_MS, interval: 20 },
  );
}

/** Messages Parley posted as itself in a thread (not through a persona webhook). */
export function botMessages(rig: DiscordRig, threadId: string): FakeMessage[] {
  return rig.discord
    .messages(threadId)
    .filter((message) => message.author.id === rig.discord.botUserId && message.persona === null);
}

/** Messages Parley posted through its persona webhook in a thread. */
export function personaMessages(rig: DiscordRig, threadId: string): FakeMessage[] {
  return rig.discord.messages(threadId).filter((message) => message.persona !== null);
}

/** The one message with text Parley posted as itself in a thread (these answers fit one). */
export function onlyAnswer(rig: DiscordRig, threadId: string): FakeMessage {
  const [message, ...more] = botMessages(rig, threadId).filter((m) => m.content !== '');
  if (message === undefined || more.length > 0)
    throw new Error(`expected one answer in ${threadId}, got ${more.length + 1}`);
  return message;
}

/** The bytes the fake Mistral holds for the file it stored under this name. */
export function mistralBytes(rig: DiscordRig, name: string): Buffer {
  const file = [...rig.mistral.files.values()].find((known) => known.name === name);
  if (file === undefined) throw new Error(`fake Mistral holds no ${name}`);
  return Buffer.from(file.bytes);
}

/** The bodies of every post and edit of a message, by Parley or its webhook. */
export function messageWrites(rig: DiscordRig): { route: string; body: unknown }[] {
  const routes = new Set([
    'POST /channels/{channel_id}/messages',
    'PATCH /channels/{channel_id}/messages/{message_id}',
    'POST /webhooks/{webhook_id}/{webhook_token}',
    'PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}',
  ]);
  return rig.discord.restCalls
    .filter((call) => call.route !== null && routes.has(call.route))
    .map((call) => ({ route: call.route ?? '', body: call.body }));
}

/** Every text Parley sent to Discord as message content (posts and edits, any channel). */
export function writtenTexts(rig: DiscordRig): string[] {
  return messageWrites(rig).flatMap(({ body }) => {
    const content = (body as { content?: unknown } | null)?.content;
    return typeof content === 'string' ? [content] : [];
  });
}

/** What Redis holds of a thread's history, raw: the stored lines as written. */
export async function rawHistory(rig: FeatureRig, threadId: string): Promise<string[]> {
  const client = rawRedis();
  try {
    const key = `${rig.prefix}{discord:${GUILD}:${GENERAL}:${threadId}}:history`;
    return await client.lrange(key, 0, -1);
  } finally {
    await client.quit();
  }
}

/** A user line's files as the history keeps them. */
export function attachmentsIn(history: readonly Message[], messageId: string) {
  return history.find((line) => line.id === messageId)?.attachments ?? [];
}

/** A real PNG of the given size (see test/support/png.ts). */
export { png } from '../support/png.js';
