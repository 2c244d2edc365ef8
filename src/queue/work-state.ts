import type { ReplyJournal } from '../core/replies.js';

/** What the queue keeps beside its jobs: each job's reply journal. */
export interface WorkState {
  /**
   * The messages a job's reply has posted so far (a retry edits them). A first attempt knows
   * its journal is empty (`isFirst`) and skips the read.
   */
  journal(jobId: string, thread: string, isFirst?: boolean): Promise<JobJournal>;
  /** Answers under way in the process that admitted them (see here-first). */
  readonly ledger: HereLedger;
  close(): Promise<void>;
}

/**
 * What another worker takes over when the process answering a message where it was admitted
 * dies: an entry per answer, due at a time the living process keeps pushing back.
 */
export interface HereLedger {
  // Entries are written by the admission itself (AdmitOptions.receipt, the store's ADMIT_SCRIPT),
  // so that no crash falls between admitting a message and making it recoverable.
  /** Pushes the due time of these entries (those still held) to `dueAt`, in one command. */
  renew(jobIds: readonly string[], dueAt: number): Promise<void>;
  /** Forgets an entry: its answer ended, or its job was queued for another worker. */
  letGo(jobId: string): Promise<void>;
  /**
   * Up to `max` entries due by `now` (their process died), each leased to the caller until
   * `leaseUntil` so that no other worker takes it meanwhile; the job as it was held.
   */
  claimDue(
    now: number,
    leaseUntil: number,
    max: number,
  ): Promise<readonly { readonly jobId: string; readonly job: string }[]>;
}

/** A message's place in a reply: its part (0, then 1… after each handoff) and index in it. */
export interface Slot {
  readonly part: number;
  readonly index: number;
}

/** A job's reply journal, with what a retry needs to find messages it never recorded. */
export interface JobJournal extends ReplyJournal {
  /** A post was started but its id never recorded: the message may exist. */
  readonly isUnsure: boolean;
  /** Where a message found unrecorded in the thread belongs: the unsure post's slot, or after the first part's. */
  readonly resumeAt: Slot;
  /** The reply's last message recorded, in any part. */
  readonly lastRecorded: string | undefined;
  part(part: number): ReplyJournal;
  /** The last message Parley recorded in the thread (by any job), if any. */
  readonly lastInThread: string | undefined;
}
