import {
  frameLine,
  STAGE_HEADER,
  speakerHeader,
  withoutFrameMarks,
} from '../agent/shape-messages.js';
import type { Message } from '../core/model.js';
import type { Actor, Line, Play } from './play.js';

/**
 * The dialogue as one actor sees it: the stage directions first, then its own lines as
 * `assistant` and everyone else's (the partner's, people's interjections) as `user`, each
 * under a header only Parley writes (the play is sent unshared, so these pass as they are).
 * The Mistral client merges consecutive same-role lines; the last line is always `user`.
 */
export function perspectiveOf(play: Play, actorIndex: 0 | 1): Message[] {
  const self = play.cast[actorIndex];
  const partner = play.cast[actorIndex === 0 ? 1 : 0];
  const directions = stageLine(
    'directions',
    stageDirections(play.topic, self, partner, actorIndex === 0),
    play.startedAt,
  );
  const lines = play.transcript.map((line, index) => lineFor(line, index, actorIndex, play));
  const messages = [directions, ...lines];
  if (messages.at(-1)?.role === 'assistant')
    messages.push(
      stageLine('continue', `(${nameOf(partner)} waits for you to go on.)`, Date.now()),
    );
  return messages;
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

function lineFor(line: Line, index: number, actorIndex: 0 | 1, play: Play): Message {
  const id = `${index}`;
  if (line.kind === 'human') {
    const header = speakerHeader('audience', line.author.id, line.author.name);
    return userLine(id, frameLine(header, withoutFrameMarks(line.text)), line.at);
  }
  const speaker = play.cast[line.actor];
  if (line.actor === actorIndex) {
    return {
      id,
      role: 'assistant',
      author: { id: speaker.agentId, name: speaker.name, isBot: true },
      text: line.text,
      attachments: [],
      at: line.at,
    };
  }
  const header = speakerHeader('speaker', speaker.agentId, speaker.name);
  return userLine(id, frameLine(header, withoutFrameMarks(line.text)), line.at);
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
