/**
 * Aborts when nothing has arrived for `ms` (the first byte, then between chunks), or when
 * the parent signal aborts. A whole-request timeout would cut long streamed answers.
 */
export class IdleTimeout {
  readonly #controller = new AbortController();
  readonly #ms: number;
  readonly #parent: AbortSignal | undefined;
  #timer: NodeJS.Timeout | undefined;
  #hasFired = false;

  constructor(ms: number, parent?: AbortSignal) {
    this.#ms = ms;
    this.#parent = parent;
    parent?.addEventListener('abort', this.#abortFromParent, { once: true });
    if (parent?.aborted) this.#abortFromParent();
    this.touch();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True when the timeout (not the parent) aborted. */
  get hasFired(): boolean {
    return this.#hasFired;
  }

  /**
   * Something arrived: the wait starts again. It is called for every streamed event (dozens an
   * answer, hundreds of answers at once), so the one timer is rescheduled rather than replaced.
   */
  touch(): void {
    // Once aborted (fired, disposed or by the parent) there is nothing left to wait for.
    if (this.#controller.signal.aborted) return;
    if (this.#timer !== undefined) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#hasFired = true;
      this.#controller.abort(new Error('idle timeout'));
    }, this.#ms);
  }

  /** Stops the timer and closes the request if it is still open. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener('abort', this.#abortFromParent);
    this.#controller.abort(new Error('done'));
  }

  readonly #abortFromParent = (): void => {
    this.#controller.abort(this.#parent?.reason);
  };
}
