import type { App } from '@slack/bolt';
import type { ConversationCommands } from '../../src/core/commands.js';
import { channelKey, type ThreadRef, threadKey } from '../../src/core/model.js';
import type { Logger } from '../../src/log/logger.js';
import { parseRoleplayCommand, roleplayUsage } from '../../src/roleplay/roleplay-command.js';
import type { RoleplaySetup, Stopper } from '../../src/roleplay/roleplay-engine.js';
import type { SlackAccess } from './slack-access.js';
import { callSlack, type WebClient } from './slack-calls.js';
import type { UserDirectory } from './slack-directory.js';

export interface SlackRoleplayDeps {
  readonly setup: RoleplaySetup;
  /** Access control: where `/roleplay` may be used, and who is an admin. */
  readonly gate: SlackAccess;
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
      const refusal = deps.gate.commandRefusal(command);
      if (refusal !== undefined) return refusal;
      if (parsed.kind === 'usage')
        return roleplayUsage(limits, deps.commands.roster(), parsed.problem);
      if (parsed.kind === 'stop') {
        const stopper = await stopperOf(deps, command.user_id);
        return (await engine.stopIn(channelKey(channel), stopper)).text;
      }
      const person = await deps.directory.personOf(command.user_id);
      const overLimit = await engine.startRefusal('slack', command.user_id);
      if (overLimit !== undefined) return overLimit;
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
    const result = await engine.stop(threadKey(thread), await stopperOf(deps, body.user.id));
    if (!result.ok)
      await respond({ response_type: 'ephemeral', replace_original: false, text: result.text });
  });
}

/** Who asks to stop a play: their name, and whether they are an admin (who may stop anyone's). */
async function stopperOf(deps: SlackRoleplayDeps, userId: string): Promise<Stopper> {
  const [person, isAdmin] = await Promise.all([
    deps.directory.personOf(userId),
    deps.gate.isAdmin(userId),
  ]);
  return { id: userId, name: person.name, isAdmin };
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
