import type { Chooser } from '../../src/access/agent-rights.js';
import type { CommandReply, ConversationCommands } from '../../src/core/commands.js';
import type { ThreadRef } from '../../src/core/model.js';

/** One `/parley …` invocation, parsed. */
export type ParleyCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'agent'; readonly nameOrId: string | undefined }
  | { readonly kind: 'unknown'; readonly word: string };

const WHITESPACE = /\s+/;
// Agent ids and aliases are short; anything longer is not one.
const MAX_ARGUMENT_LENGTH = 200;

export function parseParleyCommand(text: string): ParleyCommand {
  const [word = '', ...rest] = text.trim().split(WHITESPACE);
  const argument = rest.join(' ').trim();
  switch (word.toLowerCase()) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'reset':
      return { kind: 'reset' };
    case 'agent':
      return {
        kind: 'agent',
        nameOrId: argument === '' ? undefined : clip(argument, MAX_ARGUMENT_LENGTH),
      };
    default:
      return { kind: 'unknown', word: clip(word, 40) };
  }
}

/** At most `max` characters, cut between code points so no half emoji is echoed back. */
function clip(text: string, max: number): string {
  return Array.from(text).slice(0, max).join('');
}

export const SLACK_HELP_TEXT = [
  '*Parley* connects this workspace to Mistral agents.',
  '• Mention me in a channel and I answer in the thread; keep talking in the thread without mentioning me.',
  '• DM me for a private conversation (each DM thread is its own conversation).',
  '• `/parley agent` shows which agent answers in this channel; `/parley agent <alias|id>` changes it.',
  '• `@Parley reset` in a thread (just `reset` in a DM thread) starts that conversation afresh; I stay in the thread.',
  '• `/roleplay <agentA> <agentB> [turns] <topic>` stages a dialogue between two agents.',
].join('\n');

/**
 * What a `/parley` command does; `thread` is the conversation it was typed in, if known;
 * `chooser` tells who asks to change the agent, and with which rights.
 */
export async function runParleyCommand(
  command: ParleyCommand,
  commands: ConversationCommands,
  channelThread: ThreadRef,
  thread: ThreadRef | undefined,
  chooser: () => Promise<Chooser>,
): Promise<CommandReply & { readonly isPublic: boolean }> {
  switch (command.kind) {
    case 'help':
      return { ok: true, text: `${SLACK_HELP_TEXT}\n${commands.roster()}`, isPublic: false };
    case 'reset':
      if (thread === undefined) {
        return {
          ok: false,
          text: 'Slack does not tell apps which thread a slash command was typed in, so nothing was reset. To start a thread afresh, write `@Parley reset` in it (in a DM thread, just `reset`).',
          isPublic: false,
        };
      }
      return withVisibility(await commands.reset(thread));
    case 'agent':
      if (command.nameOrId === undefined)
        return { ...(await commands.showAgent(channelThread)), isPublic: false };
      return withVisibility(
        await commands.setAgent(channelThread, command.nameOrId, await chooser()),
      );
    case 'unknown':
      return {
        ok: false,
        text: `I don’t know “${command.word}”.\n${SLACK_HELP_TEXT}`,
        isPublic: false,
      };
  }
}

/** A change is told to the channel; a refusal only to the person who asked. */
function withVisibility(reply: CommandReply): CommandReply & { readonly isPublic: boolean } {
  return { ...reply, isPublic: reply.ok };
}
