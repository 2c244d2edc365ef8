import type { Message } from '../core/model.js';
import type { Actor, Line, Play } from './play.js';

/**
 * The dialogue as one actor sees it: the stage directions first, then its own lines as
 * `assistant` and everyone else's (the partner's, people's interjections) as `user`, named.
 * The Mistral client merges consecutive same-role lines; the last line is always `user`.
 */
export function perspectiveOf(play: Play, actorIndex: 0 | 1): Message[] {
  const self = play.cast[actorIndex];
  const partner = play.cast[actorIndex === 0 ? 1 : 0];
  const directions = userLine(
    'directions',
    stageDirections(play.topic, self, partner, actorIndex === 0),
    play.startedAt,
  );
  const lines = play.transcript.map((line, index) => lineFor(line, index, actorIndex, play));
  const messages = [directions, ...lines];
  if (messages.at(-1)?.role === 'assistant')
    messages.push(userLine('continue', `(${partner.name} waits for you to go on.)`, Date.now()));
  return messages;
}

function stageDirections(topic: string, self: Actor, partner: Actor, isOpening: boolean): string {
  return [
    `You are ${self.name}, in a live role-play conversation with ${partner.name}. The topic: ${topic}`,
    `Speak only as ${self.name}, one turn at a time, in a few sentences; ${partner.name} answers each turn.`,
    'Lines from people in the audience may come in; you may take them into account.',
    isOpening
      ? `You speak first: open the conversation with ${partner.name}.`
      : `${partner.name} speaks first.`,
  ].join('\n');
}

function lineFor(line: Line, index: number, actorIndex: 0 | 1, play: Play): Message {
  const id = `${index}`;
  if (line.kind === 'human')
    return userLine(id, `${line.author.name} (audience): ${line.text}`, line.at);
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
  return userLine(id, `${speaker.name}: ${line.text}`, line.at);
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
