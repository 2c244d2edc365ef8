import type { App } from '@slack/bolt';
import type { ConversationCommands } from '../../src/core/commands.js';
import { channelKey, type ThreadRef, threadKey } from '../../src/core/model.js';
import type { Logger } from '../../src/log/logger.js';
import { parseRoleplayCommand, roleplayUsage } from '../../src/roleplay/roleplay-command.js';
import type { RoleplaySetup } from '../../src/roleplay/roleplay-engine.js';
import { callSlack, type WebClient } from './slack-calls.js';
import type { UserDirectory } from './slack-directory.js';

export interface SlackRoleplayDeps {
  readonly setup: RoleplaySetup;
  readonly commands: ConversationCommands;
  readonly client: WebClient;
  readonly directory: UserDirectory;
  readonly logger: Logger;
}

export const STOP_ACTION_ID = 'roleplay_stop';

/** `/roleplay`, its Stop button, and the Slack stage plays are performed on. */
export function registerSlackRoleplay(app: App, deps: SlackRoleplayDeps): void {
  const { engine, roster, limits } = deps.setup;
  app.command('/roleplay', async ({ command, ack, respond }) => {
    await ack();
    const channel: ThreadRef = {
      platform: 'slack',
      workspace: command.team_id,
      channel: command.channel_id,
      thread: '',
    };
    const parsed = parseRoleplayCommand(command.text, roster, limits);
    const reply = await (async () => {
      if (parsed.kind === 'usage')
        return roleplayUsage(limits, deps.commands.roster(), parsed.problem);
      const person = await deps.directory.personOf(command.user_id);
      if (parsed.kind === 'stop')
        return (await engine.stopIn(channelKey(channel), { id: command.user_id, ...person })).text;
      const announcement = await announce(deps.client, command.channel_id, parsed, command.user_id);
      const started = await engine.start({
        thread: { ...channel, thread: announcement },
        ...parsed,
        startedBy: { id: command.user_id, name: person.name },
      });
      return started.ok ? undefined : started.text;
    })().catch((error: unknown) => {
      deps.logger.warn('slack roleplay command failed', { error });
      return 'The role-play could not start: Slack or my storage is unreachable. Please try again.';
    });
    if (reply !== undefined)
      await respond({ response_type: 'ephemeral', text: reply }).catch(() => undefined);
  });

  app.action(STOP_ACTION_ID, async ({ ack, body, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || body.message === undefined || body.channel === undefined)
      return;
    const team = body.team?.id ?? '';
    const thread: ThreadRef = {
      platform: 'slack',
      workspace: team,
      channel: body.channel.id,
      thread: body.message.ts,
    };
    const person = await deps.directory.personOf(body.user.id);
    const result = await engine.stop(threadKey(thread), { id: body.user.id, ...person });
    if (!result.ok)
      await respond({ response_type: 'ephemeral', replace_original: false, text: result.text });
  });
}

/** Posts the cast and topic with a Stop button; the dialogue goes in its thread. */
async function announce(
  client: WebClient,
  channel: string,
  play: {
    first: { alias: string; name?: string };
    second: { alias: string; name?: string };
    topic: string;
    turns: number;
  },
  userId: string,
): Promise<string> {
  const names = `*${play.first.name ?? play.first.alias}* and *${play.second.name ?? play.second.alias}*`;
  const text = `🎭 ${names} on “${play.topic}” — ${play.turns} turns, started by <@${userId}>. The dialogue is in the thread.`;
  const result = await callSlack(() =>
    client.chat.postMessage({
      channel,
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text } },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: STOP_ACTION_ID,
              style: 'danger',
              text: { type: 'plain_text', text: 'Stop' },
            },
          ],
        },
      ],
    }),
  );
  if (typeof result.ts !== 'string') throw new Error('chat.postMessage returned no ts');
  return result.ts;
}
