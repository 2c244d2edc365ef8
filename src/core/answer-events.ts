import type { AgentClient, AgentEvent } from '../agent/agent-client.js';
import type { Logger } from '../log/logger.js';
import type { Persona, ReplySink } from './model.js';

/** What one agent said in an answer: more than one when agents handed off to each other. */
export interface Spoken {
  readonly agentId: string;
  /** The agent's name when the event stream named it (handoffs), else undefined. */
  readonly agentName: string | undefined;
  text: string;
  /** The names of the files the agent made (images, plots) shown in its part. */
  readonly files: string[];
}

export interface AnswerPlay {
  readonly spoken: readonly Spoken[];
  /** Every agent's words, joined: the answer's whole text. */
  readonly text: string;
  /** How many files the answer showed (an answer may be an image and no words). */
  readonly files: number;
}

export interface AnswerDeps {
  readonly agent: AgentClient;
  readonly logger: Logger;
  /** How an agent an answer was handed to is shown (roster name and avatar, else its own name). */
  readonly personaOf: (agentId: string, agentName: string) => Persona;
  /** Called once, when the first text arrives. */
  readonly onFirstText?: () => void;
}

const TOOL_LABELS: Readonly<Record<string, string>> = {
  web_search: 'Searching the web…',
  web_search_premium: 'Searching the web…',
  code_interpreter: 'Running code…',
  image_generation: 'Drawing an image…',
  document_library: 'Searching the documents…',
};

/** What a person sees while a built-in tool runs. */
function toolLabel(tool: string): string {
  return TOOL_LABELS[tool] ?? `Using ${tool.replace(/[^\w .-]/g, '').slice(0, 40)}…`;
}

interface Source {
  readonly title: string;
  readonly url?: string;
}

/**
 * Shows an answer's events through a sink as they come: text grows the reply, a tool shows
 * what runs, files are uploaded, a handoff switches persona, a function the chat lacks is told
 * once; sources are listed under the answer. Returns what each agent said, for the history.
 */
export async function playAnswer(
  events: AsyncIterable<AgentEvent>,
  sink: ReplySink,
  firstAgentId: string,
  deps: AnswerDeps,
  signal: AbortSignal | undefined,
): Promise<AnswerPlay> {
  const spoken: Spoken[] = [{ agentId: firstAgentId, agentName: undefined, text: '', files: [] }];
  const sources: Source[] = [];
  const missing = new Set<string>();
  let fileIndex = 0;
  let shownFiles = 0;
  let codeRuns = 0;
  let hasText = false;
  let isBusy = false;

  async function idle(): Promise<void> {
    if (isBusy) await sink.activity(undefined);
    isBusy = false;
  }

  /** Uploads one file; true once it is shown. */
  async function upload(name: string, mimeType: string, read: () => Promise<Uint8Array>) {
    const index = fileIndex;
    fileIndex += 1;
    try {
      await sink.attach({ index, name, mimeType, bytes: await read() });
      shownFiles += 1;
      return true;
    } catch (error) {
      if (signal?.aborted === true) throw error;
      deps.logger.warn('file not uploaded', { index, error });
      await sink.append(aside(`a file, ${safeName(name)}, could not be shown`));
      return false;
    }
  }

  /** A line of Parley's own in the reply, a paragraph apart from the agent's words around it. */
  const aside = (text: string): string => `${hasText ? '\n\n' : ''}_(${text})_\n\n`;

  for await (const event of events) {
    switch (event.kind) {
      case 'text': {
        if (event.text === '') break;
        await idle();
        if (!hasText) deps.onFirstText?.();
        hasText = true;
        (spoken.at(-1) as Spoken).text += event.text;
        await sink.append(event.text);
        break;
      }
      case 'tool-started':
        isBusy = true;
        await sink.activity(toolLabel(event.tool));
        break;
      case 'tool-finished':
        await idle();
        if (event.code !== undefined) {
          const run = codeRunFile(event.code, event.output);
          codeRuns += 1;
          await upload(`code-run-${codeRuns}.md`, 'text/markdown', async () => run);
        }
        break;
      case 'source':
        addSource(sources, event);
        break;
      case 'file': {
        await idle();
        const isShown = await upload(event.name, event.mimeType ?? 'application/octet-stream', () =>
          deps.agent.readFile(event.fileId, signal),
        );
        if (isShown) (spoken.at(-1) as Spoken).files.push(event.name);
        break;
      }
      case 'handoff': {
        await idle();
        const persona = deps.personaOf(event.agentId, event.agentName);
        spoken.push({ agentId: event.agentId, agentName: persona.name, text: '', files: [] });
        await sink.handOff(persona);
        break;
      }
      case 'function-call':
        if (missing.has(event.name)) break;
        missing.add(event.name);
        await sink.append(
          aside(
            `The agent asked for the tool “${safeName(event.name)}”, which this chat does not offer.`,
          ),
        );
        break;
      case 'done':
        break;
    }
  }
  await idle();
  if (sources.length > 0) await sink.append(sourcesBlock(sources));
  const said = spoken.filter((part) => part.text.trim() !== '' || part.files.length > 0);
  return { spoken: said, text: joined(spoken), files: shownFiles };
}

function joined(spoken: readonly Spoken[]): string {
  return spoken.map((part) => part.text).join('');
}

/** Each URL once; a source without one is told apart by its title. */
function addSource(sources: Source[], source: Source): void {
  const key = source.url ?? `title:${source.title}`;
  if (sources.some((known) => (known.url ?? `title:${known.title}`) === key)) return;
  sources.push(source.url === undefined ? { title: source.title } : source);
}

/** Numbered sources under the answer, as Markdown links (each platform renders its own). */
function sourcesBlock(sources: readonly Source[]): string {
  const lines = sources.map((source, index) => {
    const title = linkText(source.title || source.url || 'source');
    const url = source.url === undefined ? undefined : safeUrl(source.url);
    return `${index + 1}. ${url === undefined ? title : `[${title}](${url})`}`;
  });
  return `\n\n**Sources**\n${lines.join('\n')}`;
}

function linkText(text: string): string {
  return text
    .replace(/[[\]\r\n]/g, ' ')
    .trim()
    .slice(0, 200);
}

/** Web addresses only, with the characters that would end a Markdown link escaped. */
function safeUrl(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  return url.replace(
    /[()\s<>]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function safeName(name: string): string {
  return name.replace(/[^\w .@-]/g, '').slice(0, 80);
}

/** Code interpreter's run, as a small Markdown file: the code, then what it printed. */
function codeRunFile(code: string, output: string | undefined): Uint8Array {
  const parts = [`\`\`\`python\n${code}\n\`\`\``];
  if (output !== undefined && output.trim() !== '')
    parts.push(`Output:\n\`\`\`\n${output.replace(/\n+$/, '')}\n\`\`\``);
  return new TextEncoder().encode(`${parts.join('\n\n')}\n`);
}
