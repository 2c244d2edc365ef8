import { setBounded } from '../../src/core/bounded-map.js';
import type { WebClient } from './slack-calls.js';

/** Where an assistant status goes: one thread of one channel. */
export interface StatusPlace {
  readonly channel: string;
  readonly threadTs: string;
}

export const THINKING_STATUS = 'is thinking…';
// Channels remembered; past this the oldest is forgotten (and simply asked again).
const MOST_CHANNELS = 10_000;

/**
 * The assistant status ("is thinking…" under the thread), and what Slack answered the last time
 * it was set in each channel: it is shown in AI app threads only, and whether a channel has them
 * does not change from one message to the next. Shared by every reply and acknowledgement of
 * the adapter.
 */
export interface AssistantStatus {
  /** Sets the status; false where Slack refuses it (or fails). Never throws. */
  set(place: StatusPlace, status: string): Promise<boolean>;
  /** True when the status was shown in this channel the last time it was set. */
  isKnownToShow(channel: string): boolean;
}

export function createAssistantStatus(client: WebClient): AssistantStatus {
  const shows = new Map<string, boolean>();
  return {
    async set(place, status) {
      const isShown = await client.assistant.threads
        .setStatus({ channel_id: place.channel, thread_ts: place.threadTs, status })
        .then(
          () => true,
          () => false,
        );
      setBounded(shows, place.channel, isShown, MOST_CHANNELS);
      return isShown;
    },
    isKnownToShow: (channel) => shows.get(channel) === true,
  };
}

/** "Searching the web…" as the assistant status reads: "is searching the web…". */
export function statusOf(label: string): string {
  return `is ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
}
