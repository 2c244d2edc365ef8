import type { ReplyJournal } from '../core/replies.js';

/** What the queue keeps beside its jobs: each job's reply journal. */
export interface WorkState {
  /**
   * The messages a job's reply has posted so far (a retry edits them). A first attempt knows
   * its journal is empty (`isFirst`) and skips the read.
   */
  journal(jobId: string, thread: string, isFirst?: boolean): Promise<JobJournal>;
  close(): Promise<void>;
}

/** A job's reply journal, with what a retry needs to find messages it never recorded. */
export interface JobJournal extends ReplyJournal {
  /** A post was started but its id never recorded: the message may exist. */
  readonly isUnsure: boolean;
  /** The last message Parley recorded in the thread (by any job), if any. */
  readonly lastInThread: string | undefined;
}
