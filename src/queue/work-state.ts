import type { ReplyJournal } from '../core/replies.js';

/**
 * What the queue keeps beside its jobs: each thread's order (tickets issued at ingress, the
 * highest one answered) and each job's reply journal.
 */
export interface WorkState {
  /** The next place in the thread's order, taken when the message is queued. */
  ticket(thread: string): Promise<number>;
  /** True when every earlier ticket of the thread has been answered (or given up). */
  isTurn(thread: string, seq: number): Promise<boolean>;
  /** Marks the ticket answered, letting the next one go. */
  complete(thread: string, seq: number): Promise<void>;
  /** The messages a job's reply has posted so far (a retry edits them). */
  journal(jobId: string, thread: string): Promise<JobJournal>;
  close(): Promise<void>;
}

/** A job's reply journal, with what a retry needs to find messages it never recorded. */
export interface JobJournal extends ReplyJournal {
  /** A post was started but its id never recorded: the message may exist. */
  readonly isUnsure: boolean;
  /** The last message Parley recorded in the thread (by any job), if any. */
  readonly lastInThread: string | undefined;
}
