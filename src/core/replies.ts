import type { Dispatcher, DispatchOptions } from './dispatcher.js';
import type { MessageTransport } from './live-reply.js';
import type {
  Attachment,
  FileBytes,
  FileReader,
  IncomingMessage,
  Message,
  Persona,
  Platform,
  ReplySink,
  ThreadRef,
} from './model.js';

/** Where a reply goes, as plain data: any process (ingress or worker) can act on it. */
export interface ReplyTarget {
  readonly platform: Platform;
  readonly address: Readonly<Record<string, string>>;
}

/** The messages one reply already posted, so a retried job edits them instead of posting again. */
export interface ReplyJournal {
  readonly posted: readonly string[];
  /** Said just before a post: a retry then knows a message may exist that was never recorded. */
  intend(index: number): Promise<void>;
  record(index: number, messageId: string): Promise<void>;
  /** The reply's files already uploaded, by index (see OutgoingFile). */
  readonly files: ReadonlySet<number>;
  recordFile(index: number): Promise<void>;
  /**
   * The journal of the reply's handed-over part `part` (1, 2…), with message slots of its own:
   * a retry whose earlier part runs longer than before never takes this part's messages.
   * Without it, handed-over parts keep no journal.
   */
  part?(part: number): ReplyJournal;
}

/**
 * What ingress showed at once, before the message waits for a worker, so the person knows they
 * were heard: an indicator that is no message (Slack's assistant status, Discord's typing), a
 * placeholder message the reply will replace, or nothing.
 */
export type Acknowledgement =
  | { readonly kind: 'status' }
  | { readonly kind: 'placeholder'; readonly messageId: string }
  | { readonly kind: 'none' };

/** What a reply continues from: an earlier attempt's messages, ingress's acknowledgement. */
export interface SinkContext {
  readonly journal?: ReplyJournal;
  readonly acknowledged?: Acknowledgement;
  /** Another attempt at a reply whose process died: it may have left a message streaming. */
  readonly isRetry?: boolean;
}

/** What a platform offers every process that posts replies. */
export interface ReplyPort {
  readonly platform: Platform;
  sink(target: ReplyTarget, context?: SinkContext): ReplySink;
  /** Shows at once that a message was heard (see Acknowledgement); never throws. */
  acknowledge(target: ReplyTarget): Promise<Acknowledgement>;
  /**
   * Parley's own messages in the target's thread posted after `afterId` (oldest first): what a
   * process that died between posting and recording left behind.
   */
  postedAfter(target: ReplyTarget, afterId: string): Promise<readonly string[]>;
  /** The thread so far, for a mention mid-thread (read once). */
  context(target: ReplyTarget): Promise<readonly Message[]>;
  /** Reads a file a person attached in the target's thread, with the bot's own credentials. */
  readFile(target: ReplyTarget, attachment: Attachment, signal?: AbortSignal): Promise<FileBytes>;
  /** Where replies in a conversation go, optionally under a persona (role-play lines). */
  targetFor(thread: ThreadRef, persona?: Persona): ReplyTarget;
  /** Posts one plain message of Parley's own (a role-play's closing line). */
  say(target: ReplyTarget, text: string): Promise<void>;
}

/** A person's message as it travels between processes: no functions, only data. */
export type WireMessage = Omit<IncomingMessage, 'loadContext' | 'readFile'>;

export interface Submission {
  readonly incoming: WireMessage;
  readonly target: ReplyTarget;
  /** A mention mid-thread: the agent also gets the thread so far. */
  readonly withContext: boolean;
  /** A mention: Parley takes part in this thread from now on (joined as the message is taken in). */
  readonly joins?: boolean;
}

/** A submission as queued: admitted (its turn place taken) and acknowledged at ingress. */
export interface QueuedSubmission extends Submission {
  readonly place: string;
  readonly acknowledged: Acknowledgement;
}

/** Where adapters hand each person's message: answered here, or queued for a worker. */
export interface Inbox {
  submit(submission: Submission): Promise<void>;
}

/** Finds the reply port of a platform. */
export type PortFinder = (platform: Platform) => ReplyPort | undefined;

/** Rebuilds the message the dispatcher handles, with its context loader when it wants one. */
export function incomingFor(submission: Submission, port: ReplyPort): IncomingMessage {
  const readFile: FileReader = (attachment, signal) =>
    port.readFile(submission.target, attachment, signal);
  if (!submission.withContext) return { ...submission.incoming, readFile };
  return {
    ...submission.incoming,
    readFile,
    loadContext: () => port.context(submission.target),
  };
}

/** The inbox of a single process: every message is answered right here. */
export function createDirectInbox(dispatcher: Dispatcher, ports: PortFinder): Inbox {
  return {
    async submit(submission) {
      const port = ports(submission.target.platform);
      if (port === undefined) throw new Error(`no reply port for ${submission.target.platform}`);
      const options = submission.joins === true ? { join: true } : {};
      await dispatcher.handle(incomingFor(submission, port), port.sink(submission.target), options);
    },
  };
}

/** Handles one submission with an explicit sink context and options (workers). */
export async function handleSubmission(
  dispatcher: Dispatcher,
  port: ReplyPort,
  submission: Submission,
  context: SinkContext,
  options: DispatchOptions,
) {
  return dispatcher.handle(
    incomingFor(submission, port),
    port.sink(submission.target, context),
    options,
  );
}

/**
 * Writes each post's intent to the journal before the post. With `ahead`, the first post's
 * intent is written at once, as the reply is set up (the agent is still thinking then), so the
 * answer's first words wait for no round trip; a retry that finds it with nothing posted just
 * looks in the thread. A retry that finds messages posted writes nothing ahead: its first posts
 * are edits of those, and an intent for a post it may never make would leave the journal unsure.
 */
export function intentsAhead(
  journal: ReplyJournal,
  ahead = true,
): (index: number) => Promise<void> {
  // The first post's intent (index 0), when written ahead; the first call takes it or drops it.
  let early: Promise<void> | undefined =
    ahead && journal.posted.length === 0 ? bestEffort(journal.intend(0)) : undefined;
  return (index) => {
    const written = early !== undefined && index === 0 ? early : bestEffort(journal.intend(index));
    early = undefined;
    return written;
  };
}

/**
 * Turns the first posts of a retried reply into edits of the messages it posted before.
 * `intendAhead`: the first post carries the answer's first words (see intentsAhead).
 */
export function journaledTransport<Id extends string>(
  transport: MessageTransport<Id>,
  journal: ReplyJournal | undefined,
  intendAhead = false,
): MessageTransport<Id> {
  if (journal === undefined) return transport;
  const intend = intentsAhead(journal, intendAhead);
  let index = 0;
  return {
    post: async (text) => {
      const at = index;
      index += 1;
      const earlier = journal.posted[at] as Id | undefined;
      if (earlier !== undefined) {
        await transport.edit(earlier, text);
        return earlier;
      }
      await intend(at);
      const id = await transport.post(text);
      await bestEffort(journal.record(at, id));
      return id;
    },
    edit: transport.edit,
  };
}

/** The reply ports of the platforms this process serves, filled as adapters are created. */
export function createPortRegistry() {
  const ports = new Map<Platform, ReplyPort>();
  return {
    add(port: ReplyPort): void {
      ports.set(port.platform, port);
    },
    find: ((platform) => ports.get(platform)) as PortFinder,
    all: (): readonly ReplyPort[] => [...ports.values()],
  };
}

/**
 * The journal only matters if this worker dies before the job ends; a journal write that fails
 * (Redis briefly down) must not cost the person their answer.
 */
export async function bestEffort(write: Promise<void>): Promise<void> {
  await write.catch(() => undefined);
}
