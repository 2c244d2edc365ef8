/**
 * Where to end one streamed Slack message and start the next. A stream is append-only, so
 * the cut must fall in text not yet sent: on a paragraph break if there is one, else a line
 * break, else a space. A code fence open at the cut is closed in this message and re-opened,
 * with its language, at the start of the next.
 */
export interface StreamCut {
  /** Sent to the current message, fence closing included. */
  readonly head: string;
  /** Starts the next message, fence re-opening included. */
  readonly tail: string;
}

const FENCE_LINE_PATTERN = /^\s*(`{3,}|~{3,})(.*)$/;
// Room kept for a closing fence ("\n" + up to a long marker).
const FENCE_RESERVE = 12;

/** Cuts `pending` so that at most `room` characters go to the message that already holds `sent`. */
export function cutStream(sent: string, pending: string, room: number): StreamCut {
  const window = pending.slice(0, Math.max(1, room - FENCE_RESERVE));
  const at = bestBreak(window);
  const head = pending.slice(0, at);
  const rest = pending.slice(at).replace(/^\n+/, '');
  const fence = openFenceAfter(`${sent}${head}`);
  if (fence === undefined) return { head, tail: rest };
  return { head: `${head.replace(/\n*$/, '')}\n${fence.marker}`, tail: `${fence.line}\n${rest}` };
}

function bestBreak(window: string): number {
  for (const separator of ['\n\n', '\n', ' ']) {
    const index = window.lastIndexOf(separator);
    if (index > 0) return index;
  }
  return window.length;
}

/** The code fence left open at the end of `text`, if any. */
export function openFenceAfter(text: string): { line: string; marker: string } | undefined {
  let open: { line: string; marker: string } | undefined;
  for (const line of text.split('\n')) {
    const match = FENCE_LINE_PATTERN.exec(line);
    if (!match) continue;
    const marker = match[1] ?? '```';
    if (open === undefined) open = { line: line.trim(), marker };
    else if (line.trim() === open.marker) open = undefined;
  }
  return open;
}
