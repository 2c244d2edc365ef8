import type { IncomingMessage, Message, ThreadRef } from '../../src/core/model.js';

let counter = 0;

export function threadRef(thread = 'T-1', overrides: Partial<ThreadRef> = {}): ThreadRef {
  return { platform: 'console', workspace: 'W', channel: 'C', thread, ...overrides };
}

export function userMessage(text: string, overrides: Partial<Message> = {}): Message {
  counter += 1;
  return {
    id: `m${counter}`,
    role: 'user',
    author: { id: 'U1', name: 'Ada', isBot: false },
    text,
    attachments: [],
    at: 1_700_000_000_000 + counter,
    ...overrides,
  };
}

export function assistantLine(text: string): Message {
  return userMessage(text, {
    role: 'assistant',
    author: { id: 'ag:x', name: 'Agent', isBot: true },
  });
}

export function incoming(
  text: string,
  thread: ThreadRef = threadRef(),
  overrides: Partial<IncomingMessage> = {},
): IncomingMessage {
  const message = userMessage(text);
  return { thread, deliveryKey: `test:${message.id}`, message, isShared: false, ...overrides };
}
