/**
 * What the hand-run fake Mistral (`npm run fake:mistral`) answers, so an offline chat shows
 * today's agent features: ask it to search, draw, plot or run code, hand over, or check the
 * weather (a function Parley does not run); anything else is echoed back.
 */
import { lastUserText } from './fake-mistral.js';
import type { Behaviour, CompletionRecord, ScriptStep } from './types.js';

export const DEMO_AGENT = { id: 'ag:parley:demo', name: 'Parley Demo' } as const;
export const DEMO_ANALYST = { id: 'ag:parley:analyst', name: 'Demo Analyst' } as const;

// A 1×1 PNG: enough for a chat to show an image the agent "drew".
const DOT_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
// Small pieces, so streaming is visible in a chat window.
const CHUNK_SIZE = 4;

const SCENES: readonly { readonly words: RegExp; readonly steps: () => ScriptStep[] }[] = [
  {
    words: /\bsearch|\bfind|\blook up/i,
    steps: () => [
      { tool: 'web_search', arguments: '{"query":"Parley"}' },
      {
        text: 'Here is what the web says (in this demo, it says what I make up).',
        chunkSize: CHUNK_SIZE,
      },
      {
        reference: {
          title: 'Mistral AI agents',
          url: 'https://docs.mistral.ai/agents/introduction',
        },
      },
      { reference: { title: 'Slack streaming', url: 'https://docs.slack.dev/' } },
    ],
  },
  {
    words: /\bdraw|\bimage|\bpicture/i,
    steps: () => [
      { tool: 'image_generation', arguments: '{"prompt":"a dot"}' },
      { file: { name: 'image_0.png', type: 'png', tool: 'image_generation', bytes: DOT_PNG } },
      { text: 'I drew you a very small dot. ![Image](__emitted_0.png)', chunkSize: CHUNK_SIZE },
    ],
  },
  {
    words: /\bplot|\bcode|\bpython|\bcalculate/i,
    steps: () => [
      {
        tool: 'code_interpreter',
        arguments: '{"code": "print(21 * 2)"}',
        info: { code_output: '42\n' },
      },
      { text: 'I ran the code: the answer is 42. Here is the plot:', chunkSize: CHUNK_SIZE },
      { file: { name: 'plot_0.png', type: 'png', bytes: DOT_PNG } },
    ],
  },
  {
    words: /\bhand ?off|\banalyst/i,
    steps: () => [
      { text: 'Let me ask the analyst.', chunkSize: CHUNK_SIZE },
      { handoff: { toAgentId: DEMO_ANALYST.id, toAgentName: DEMO_ANALYST.name } },
      { text: 'Analyst here: the numbers look fine.', chunkSize: CHUNK_SIZE },
    ],
  },
  {
    words: /\bweather/i,
    steps: () => [{ functionCall: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
  },
];

/** Plays a scene when the person's words ask for one; echoes otherwise. */
export function demoAnswer(request: CompletionRecord): Behaviour {
  const last = request.messages.at(-1);
  if (last?.role === 'tool')
    return {
      kind: 'script',
      steps: [
        { text: 'I cannot check the weather from here; take an umbrella.', chunkSize: CHUNK_SIZE },
      ],
    };
  const heard = lastUserText(request);
  const scene =
    request.endpoint === 'conversations' ? SCENES.find((s) => s.words.test(heard)) : undefined;
  if (scene !== undefined) return { kind: 'script', steps: scene.steps() };
  return {
    kind: 'reply',
    text: `Hello from the fake Mistral agent! You said: "${heard || 'your message'}". Try: search, draw, plot, handoff, weather.`,
    chunkSize: CHUNK_SIZE,
    chunkDelayMs: 30,
  };
}
