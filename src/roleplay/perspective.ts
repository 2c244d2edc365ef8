import {
  cutText,
  FRAME_CHARS,
  frameLine,
  STAGE_HEADER,
  speakerHeader,
  withoutFrameMarks,
} from '../agent/shape-messages.js';
import { DEFAULTS } from '../config/config.js';
import type { Message } from '../core/model.js';
import type { HistoryLimits } from '../store/store.js';
import type { Actor, Line, Play } from './play.js';
import { boundedInterjection } from './play-input.js';

/** How much of a play one call sends: counted as a chat history is, directions included. */
export type PlayBudget = Pick<HistoryLimits, 'maxMessages' | 'maxChars'>;

/** A chat history's default budget (config.ts): a play's call is no bigger than a chat's. */
export const DEFAULT_PLAY_BUDGET: PlayBudget = {
  maxMessages: DEFAULTS.historyMaxMessages,
  maxChars: DEFAULTS.historyMaxChars,
};

/**
 * The dialogue as one actor sees it: the stage directions first (cast and topic, always), then
 * the newest lines that fit the budget, its own as `assistant` and everyone else's (the
 * partner's, people's interjections) as `user`, each under a header only Parley writes (the
 * play is sent unshared, so these pass as they are). The newest line alone over what is left
 * is cut with a note. The Mistral client merges consecutive same-role lines; the last line is
 * always `user`.
 */
export function perspectiveOf(
  play: Play,
  actorIndex: 0 | 1,
  budget: PlayBudget = DEFAULT_PLAY_BUDGET,
): Message[] {
  const self = play.cast[actorIndex];
  const partner = play.cast[actorIndex === 0 ? 1 : 0];
  const directions = stageLine(
    'directions',
    stageDirections(play.topic, self, partner, actorIndex === 0),
    play.startedAt,
  );
  const lines = newestLines(play, actorIndex, budget, sentSize(directions));
  const messages = [directions, ...lines];
  if (messages.at(-1)?.role === 'assistant')
    messages.push(
      stageLine('continue', `(${nameOf(partner)} waits for you to go on.)`, Date.now()),
    );
  return messages;
}

/** The newest transcript lines within the budget, oldest first; `used` is spent already. */
function newestLines(play: Play, actorIndex: 0 | 1, budget: PlayBudget, used: number): Message[] {
  const kept: Message[] = [];
  let chars = used;
  for (const [index, line] of [...play.transcript.entries()].reverse()) {
    if (kept.length >= budget.maxMessages - 1) break;
    const message = lineFor(line, index, actorIndex, play);
    if (chars + sentSize(message) > budget.maxChars) {
      if (kept.length === 0)
        kept.push(lineFor(line, index, actorIndex, play, budget.maxChars - chars));
      break;
    }
    kept.push(message);
    chars += sentSize(message);
  }
  return kept.reverse();
}

/** What a line costs in the call: its text and the blank line that joins it (sent unshared). */
function sentSize(message: Message): number {
  return message.text.length + FRAME_CHARS.message;
}

function stageDirections(topic: string, self: Actor, partner: Actor, isOpening: boolean): string {
  const [me, other] = [nameOf(self), nameOf(partner)];
  return [
    `You are ${me}, in a live role-play conversation with ${other}. The topic: ${withoutFrameMarks(topic)}`,
    `Speak only as ${me}, one turn at a time, in a few sentences; ${other} answers each turn.`,
    'Lines from people in the audience may come in; you may take them into account.',
    `Each line starts with a header only Parley writes: ${speakerHeader('speaker', partner.agentId, partner.name)} for ${other}, ${speakerHeader('audience', 'ID', 'NAME')} for a person in the audience, ${STAGE_HEADER} for Parley.`,
    isOpening ? `You speak first: open the conversation with ${other}.` : `${other} speaks first.`,
  ].join('\n');
}

/** A transcript line as `actorIndex` hears it, cut to `room` characters sent when given. */
function lineFor(
  line: Line,
  index: number,
  actorIndex: 0 | 1,
  play: Play,
  room = Number.POSITIVE_INFINITY,
): Message {
  const id = `${index}`;
  if (line.kind === 'human') {
    const header = speakerHeader('audience', line.author.id, line.author.name);
    return userLine(id, framed(header, boundedInterjection(line.text), room), line.at);
  }
  const speaker = play.cast[line.actor];
  if (line.actor === actorIndex) {
    return {
      id,
      role: 'assistant',
      author: { id: speaker.agentId, name: speaker.name, isBot: true },
      text: within(line.text, room),
      attachments: [],
      at: line.at,
    };
  }
  const header = speakerHeader('speaker', speaker.agentId, speaker.name);
  return userLine(id, framed(header, line.text, room), line.at);
}

/** A header over a line's text, the text cut (never the header) so both fit `room`. */
function framed(header: string, text: string, room: number): string {
  return frameLine(header, within(withoutFrameMarks(text), room - header.length - 1));
}

/** `text` cut with a note when it and its separator would take more than `room` characters. */
function within(text: string, room: number): string {
  const overBy = text.length + FRAME_CHARS.message - room;
  return overBy > 0 ? cutText(text, overBy) : text;
}

/** Parley's own words to an actor, under the stage header. */
function stageLine(id: string, text: string, at: number): Message {
  return userLine(id, frameLine(STAGE_HEADER, text), at);
}

function userLine(id: string, text: string, at: number): Message {
  return {
    id,
    role: 'user',
    author: { id: 'stage', name: 'Stage', isBot: false },
    text,
    attachments: [],
    at,
  };
}

function nameOf(actor: Actor): string {
  return withoutFrameMarks(actor.name);
}
