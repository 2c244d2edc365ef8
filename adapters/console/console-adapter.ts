import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ConversationCommands } from '../../src/core/commands.js';
import type { Dispatcher } from '../../src/core/dispatcher.js';
import {
  type Attachment,
  type FileBytes,
  type IncomingMessage,
  type ReplySink,
  type ThreadRef,
  threadKey,
} from '../../src/core/model.js';
import { FILE_LIMITS } from '../../src/core/prepare-files.js';
import { parseRoleplayCommand, roleplayUsage } from '../../src/roleplay/roleplay-command.js';
import type { RoleplaySetup } from '../../src/roleplay/roleplay-engine.js';
import { parseConsoleLine } from './console-commands.js';

export interface ConsoleAdapterDeps {
  readonly dispatcher: Dispatcher;
  readonly commands: ConversationCommands;
  readonly input: Readable;
  readonly output: Writable;
  /** Who is typing (shown to the agent only in shared threads, never here). */
  readonly userName: string;
  /** Show a prompt: only when a person types at a terminal. */
  readonly isInteractive: boolean;
  /** `/roleplay`, when the core has a role-play engine. */
  readonly roleplay?: RoleplaySetup;
  /** Where the files agents make are saved (default: `consoleFilesDir()`). */
  readonly filesDir?: string;
}

export interface ConsoleAdapter {
  /** Reads lines until `/quit` or the end of input. */
  run(): Promise<void>;
}

const HELP = [
  'Type a message and press Enter to talk to the agent.',
  '  /reset            forget this conversation',
  '  /agent            show the agent',
  '  /agent <alias|id> talk to another agent',
  '  /roleplay <agentA> <agentB> [turns] <topic>   stage a dialogue between two agents',
  '  /attach <path>    send a file (image, PDF, text) with your next message',
  '  /quit             leave',
].join('\n');

/** A terminal chat with the default agent, streamed as it arrives; works piped too. */
export function createConsoleAdapter(deps: ConsoleAdapterDeps): ConsoleAdapter {
  const thread: ThreadRef = {
    platform: 'console',
    workspace: 'local',
    channel: deps.userName,
    thread: 'main',
  };
  const session = randomUUID();
  const write = (text: string): void => {
    deps.output.write(text);
  };
  let count = 0;
  let pending: Attachment[] = [];

  /** Queues a local file for the next message; the agent reads it as it reads platform files. */
  async function attach(path: string): Promise<void> {
    if (path === '') return write('Usage: /attach <path>\n');
    const found = await stat(path).catch(() => undefined);
    if (found?.isFile() !== true) return write(`No file at ${path}.\n`);
    pending.push({ name: basename(path), ref: resolve(path), size: found.size });
    write(`Attached ${basename(path)}: it goes with your next message.\n`);
  }

  async function say(text: string): Promise<void> {
    count += 1;
    const attachments = pending;
    pending = [];
    const incoming: IncomingMessage = {
      thread,
      deliveryKey: `console:${session}:${count}`,
      isShared: false,
      message: {
        id: `${session}:${count}`,
        role: 'user',
        author: { id: deps.userName, name: deps.userName, isBot: false },
        text,
        attachments,
        at: Date.now(),
      },
      readFile: readLocalFile,
    };
    await deps.dispatcher.handle(incoming, createConsoleSink(write, 'agent', deps.filesDir));
  }

  deps.roleplay?.engine.addStage('console', () => ({
    line: (actor) => createConsoleSink(write, actor.name),
    say: async (text) => write(`${text}\n`),
  }));
  let plays = 0;

  /** Stages a role-play here and waits until it ends (the console shows one thing at a time). */
  async function roleplay(args: string): Promise<void> {
    const play = deps.roleplay;
    if (play === undefined) return write('Role-play is not available here.\n');
    const command = parseRoleplayCommand(args, play.roster, play.limits);
    if (command.kind !== 'start') {
      const problem =
        command.kind === 'stop'
          ? 'Nothing to stop: a console role-play runs until it ends (Ctrl-C quits).'
          : command.problem;
      return write(`${roleplayUsage(play.limits, deps.commands.roster(), problem)}\n`);
    }
    plays += 1;
    const stage: ThreadRef = { ...thread, thread: `roleplay-${session}-${plays}` };
    const started = await play.engine.start({
      thread: stage,
      ...command,
      startedBy: { id: deps.userName, name: deps.userName },
    });
    if (!started.ok) return write(`${started.text}\n`);
    const [first, second] = started.play.cast;
    write(`🎭 ${first.name} and ${second.name} on “${command.topic}” — ${command.turns} turns.\n`);
    await play.engine.finished(threadKey(stage));
  }

  async function handleLine(line: string): Promise<'quit' | 'continue'> {
    const command = parseConsoleLine(line);
    switch (command.kind) {
      case 'empty':
        return 'continue';
      case 'quit':
        return 'quit';
      case 'help':
        write(`${HELP}\n`);
        return 'continue';
      case 'reset':
        write(`${(await deps.commands.reset(thread)).text}\n`);
        return 'continue';
      case 'show-agent':
        write(`${(await deps.commands.showAgent(thread)).text}\n`);
        return 'continue';
      case 'set-agent':
        write(`${(await deps.commands.setAgent(thread, command.nameOrId)).text}\n`);
        return 'continue';
      case 'unknown':
        write(`Unknown command ${command.name}. ${HELP}\n`);
        return 'continue';
      case 'roleplay':
        await roleplay(command.args);
        return 'continue';
      case 'attach':
        await attach(command.path);
        return 'continue';
      case 'say':
        await say(command.text);
        return 'continue';
    }
  }

  return {
    async run() {
      const lines = createInterface({ input: deps.input, terminal: false });
      const prompt = (): void => {
        if (deps.isInteractive) write('you> ');
      };
      if (deps.isInteractive) write(`Parley console. ${HELP}\n`);
      prompt();
      for await (const line of lines) {
        if ((await handleLine(line)) === 'quit') break;
        prompt();
      }
      lines.close();
    },
  };
}

/** Where the console keeps the files an agent makes (images, plots, code runs). */
export function consoleFilesDir(): string {
  return join(tmpdir(), 'parley-console-files');
}

/**
 * Writes the streamed answer straight to the terminal: a tool's activity and each file (saved
 * under `consoleFilesDir()`) on a line of its own, a handoff as a new speaker.
 */
export function createConsoleSink(
  write: (text: string) => void,
  label = 'agent',
  filesDir = consoleFilesDir(),
): ReplySink {
  let speaker = label;
  let isLineOpen = false;
  const line = (text: string): void => {
    write(`${isLineOpen ? '\n' : ''}${text}\n`);
    isLineOpen = false;
  };
  return {
    start: async () => {},
    append: async (delta) => {
      if (!isLineOpen) write(`${speaker}> `);
      isLineOpen = true;
      write(delta);
    },
    activity: async (activity) => {
      if (activity !== undefined) line(`[${activity}]`);
    },
    attach: async (file) => {
      await mkdir(filesDir, { recursive: true });
      const path = join(filesDir, `${Date.now()}-${file.index}-${safeFileName(file.name)}`);
      await writeFile(path, file.bytes);
      line(`[file: ${path}]`);
    },
    handOff: async (persona) => {
      line(`[handed over to ${persona.name}]`);
      speaker = persona.name;
    },
    finish: async () => {
      if (isLineOpen) write('\n');
      isLineOpen = false;
    },
    fail: async (notice) => {
      write(`${isLineOpen ? '\n' : ''}[!] ${notice}\n`);
    },
  };
}

/** A file the console's user attached, read from disk within the size limit. */
async function readLocalFile(attachment: Attachment): Promise<FileBytes> {
  const { size } = await stat(attachment.ref);
  if (size > FILE_LIMITS.maxBytes) throw new RangeError('file over the limit');
  return {
    name: attachment.name,
    mimeType: attachment.mimeType ?? 'application/octet-stream',
    bytes: await readFile(attachment.ref),
  };
}

function safeFileName(name: string): string {
  return (
    basename(name)
      .replace(/[^\w.-]/g, '_')
      .slice(0, 100) || 'file'
  );
}
