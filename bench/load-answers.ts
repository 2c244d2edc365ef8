/**
 * The load benchmark's questions and answers: each question carries a tag, the fake agent
 * answers it with a text made from that tag, so every visible reply can be matched to the
 * message it answers (and a duplicate or a mix-up shows).
 */
import type { Responder } from '../test/fakes/mistral/fake-mistral.js';

/** A typical short chat answer: ~600 characters, in four paragraphs as agents write them. */
export const ANSWER_CHARS = 600;
const PARAGRAPHS = 4;
/** Streamed in pieces of this many characters: 40 deltas, as bench/overhead.ts streams. */
const CHUNK_SIZE = 15;
const CHUNKS = Math.ceil(ANSWER_CHARS / CHUNK_SIZE);
/** A realistic agent: the first token after ~500 ms, the rest over ~1.5 s, ~2 s in all. */
export const AGENT_ANSWER_MS = 2_000;
// Whatever its pace, an agent spends a quarter of its time thinking before the first token.
const THINKING_SHARE = 0.25;
// Plain words only: no Markdown or mrkdwn markup, so every bot shows it unchanged.
const FILLER = 'Parley streams this answer in small pieces, the way a real agent would. ';
const TAG_IN_QUESTION = /question (\w+):/;
const SPACES = /\s+/g;

/** The question a person asks, mentioning the bot. */
export function questionFor(tag: string, botUserId: string): string {
  return `<@${botUserId}> question ${tag}: how does the bridge behave under load?`;
}

/**
 * The whole answer to the question tagged `tag`: paragraphs apart by a blank line, so a bot
 * that streams whole lines (the Chat SDK) shows the answer as it grows, as it would a real one.
 */
export function answerFor(tag: string): string {
  const each = Math.floor(ANSWER_CHARS / PARAGRAPHS);
  const paragraph = (index: number): string => {
    const head = index === 0 ? `Answer ${tag}. ` : '';
    return `${head}${FILLER.repeat(Math.ceil(each / FILLER.length))}`.slice(0, each).trimEnd();
  };
  return Array.from({ length: PARAGRAPHS }, (_, index) => paragraph(index)).join('\n\n');
}

/** Text as a person compares it: runs of whitespace as one space, no ends. */
export function normalized(text: string): string {
  return text.replace(SPACES, ' ').trim();
}

/** True when `shown` is the start of the answer (not a placeholder, not someone else's). */
export function showsAnswerText(shown: string, answer: string): boolean {
  const text = normalized(shown);
  return text !== '' && answer.startsWith(text.slice(0, 20));
}

function lastUserText(messages: readonly { role: string; content: unknown }[]): string {
  const content = messages.findLast((message) => message.role === 'user')?.content;
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? JSON.stringify(content) : '';
}

/**
 * When the agent was first asked about each tag (ms): its request reached the fake Mistral. The
 * driver takes each out as its question settles.
 */
export const agentAskedAt = new Map<string, number>();

/** How an agent taking `agentMs` in all streams: its first token, then evenly spaced deltas. */
function paceOf(agentMs: number) {
  const firstTokenDelayMs = Math.round(agentMs * THINKING_SHARE);
  return { firstTokenDelayMs, chunkDelayMs: (agentMs - firstTokenDelayMs) / (CHUNKS - 1) };
}

/**
 * Answers each question with its tag's answer, streamed at the pace of the level it belongs to
 * (`agentMsOf(tag)`, ms in all).
 */
export function pacedAgent(agentMsOf: (tag: string) => number): Responder {
  return (request) => {
    const tag = TAG_IN_QUESTION.exec(lastUserText(request.messages))?.[1] ?? 'untagged';
    if (!agentAskedAt.has(tag)) agentAskedAt.set(tag, Date.now());
    return {
      kind: 'reply',
      text: answerFor(tag),
      chunkSize: CHUNK_SIZE,
      ...paceOf(agentMsOf(tag)),
    };
  };
}
