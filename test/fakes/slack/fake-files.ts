/** The test-facing side of the fake's files: people attaching them, and what the app did with them. */

import { fileShareEvent } from './file-share.js';
import { fileSnapshot } from './file-store.js';
import type { DownloadAttempts, FakeFile, UserFileShareInput } from './types.js';
import type { Workspace } from './workspace.js';

/** `fake.files`: build a person's file share, read the app's uploads and downloads. */
export class FakeFiles {
  readonly #workspace: Workspace;

  constructor(workspace: Workspace) {
    this.#workspace = workspace;
  }

  /**
   * Builds the event for a person's message with files attached (fresh ts; the files are stored
   * now, with `url_private` on the fake). Deliver it with `sendEvent` or `sendSocketEvent`.
   */
  userShare(input: UserFileShareInput): Record<string, unknown> {
    return fileShareEvent(this.#workspace, input);
  }

  /**
   * The app's completed uploads, oldest first; with `channel`, those shared there, and with
   * `threadTs` too, those in that thread. Uploads completed without a channel stay private: they
   * are listed only without `channel`.
   */
  uploads(channel?: string, threadTs?: string): FakeFile[] {
    const { botUserId } = this.#workspace.identity;
    return this.#all().filter(
      (file) =>
        file.user === botUserId &&
        (channel === undefined || file.channel === channel) &&
        (threadTs === undefined || file.threadTs === threadTs),
    );
  }

  /** The files people (not the bot) attached, oldest first; with `user`, only that person's. */
  sharedBy(user?: string): FakeFile[] {
    const { botUserId } = this.#workspace.identity;
    return this.#all().filter(
      (file) => file.user !== botUserId && (user === undefined || file.user === user),
    );
  }

  /** Requests for `url_private` / `url_private_download`, for one file or all of them. */
  downloads(fileId?: string): DownloadAttempts {
    return this.#workspace.files.downloads(fileId);
  }

  #all(): FakeFile[] {
    return this.#workspace.files
      .all()
      .filter((file) => file.state === 'completed')
      .map(fileSnapshot);
  }
}
