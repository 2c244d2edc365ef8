/**
 * Takes the model's image placeholders out of streamed text. A tool's file (an image, a plot)
 * arrives as a file of its own, and the model also writes Markdown for it such as
 * `![Image](__emitted_0.png)`, which no chat can show. Images with a web address become plain
 * links; the rest go. A half-received image is held back until it closes or cannot be one.
 */
export interface PlaceholderFilter {
  /** The text that can be shown now. */
  push(text: string): string;
  /** What was held back, at the end of the answer. */
  end(): string;
}

const IMAGE = /!\[([^\]\n]*)\]\(([^)\s]*)[^)\n]*\)/g;
const WEB_ADDRESS = /^https?:\/\//i;
// An image's Markdown is short; longer held text cannot be one.
const MOST_HELD = 400;

export function createPlaceholderFilter(): PlaceholderFilter {
  let held = '';
  return {
    push(text) {
      const buffer = (held + text).replace(IMAGE, (_whole, alt: string, target: string) =>
        WEB_ADDRESS.test(target) ? `[${alt || target}](${target})` : '',
      );
      const cut = holdFrom(buffer);
      held = buffer.slice(cut);
      return buffer.slice(0, cut);
    },
    end() {
      const rest = held;
      held = '';
      return rest;
    },
  };
}

function holdFrom(buffer: string): number {
  if (buffer.endsWith('!')) return buffer.length - 1;
  const start = buffer.lastIndexOf('![');
  if (start === -1) return buffer.length;
  const tail = buffer.slice(start);
  const isOpen = !tail.includes('\n') && tail.length < MOST_HELD;
  return isOpen ? start : buffer.length;
}
