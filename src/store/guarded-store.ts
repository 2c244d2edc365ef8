import { isAbortError, ParleyError } from '../errors.js';
import type { ConversationStore } from './store.js';

/** Wraps a store so that any failure of the backing service surfaces as STORE_UNAVAILABLE. */
export function guardStore(store: ConversationStore): ConversationStore {
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        if (error instanceof ParleyError || isAbortError(error)) throw error;
        throw new ParleyError('STORE_UNAVAILABLE', 'conversation store failed', { cause: error });
      }
    };
  return {
    claim: guard(store.claim.bind(store)),
    isClaimed: guard(store.isClaimed.bind(store)),
    admit: guard(store.admit.bind(store)),
    withdraw: guard(store.withdraw.bind(store)),
    append: guard(store.append.bind(store)),
    appendIf: guard(store.appendIf.bind(store)),
    history: guard(store.history.bind(store)),
    historyLength: guard(store.historyLength.bind(store)),
    clear: guard(store.clear.bind(store)),
    forget: guard(store.forget.bind(store)),
    threadState: guard(store.threadState.bind(store)),
    joinThread: guard(store.joinThread.bind(store)),
    resetThread: guard(store.resetThread.bind(store)),
    settings: guard(store.settings.bind(store)),
    updateSettings: guard(store.updateSettings.bind(store)),
    takeTurn: guard(store.takeTurn.bind(store)),
    ping: () => store.ping().catch(() => false),
    close: () => store.close(),
  };
}
