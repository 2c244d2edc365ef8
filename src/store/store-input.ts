import { ParleyError } from '../errors.js';
import type { AdmitReceipt, ScopeSettings, SettingsPatch } from './store.js';

/** The settings fields a scope may hold; anything else in storage is ignored. */
export const SETTINGS_FIELDS = ['agentId'] as const satisfies readonly (keyof ScopeSettings)[];

/** A whole, positive number of milliseconds (Redis PX refuses anything else). */
export function requireTtlMs(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ParleyError('INTERNAL', 'invalid ttl: must be a positive number of milliseconds');
  }
  return Math.ceil(ttlMs);
}

/** A non-empty key or scope. */
export function requireName(name: string, what: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new ParleyError('INTERNAL', `invalid ${what}: must be a non-empty string`);
  }
  return name;
}

/** A receipt a store can write as it is: a job id, its job, and a due time in whole milliseconds. */
export function requireReceipt(receipt: AdmitReceipt): AdmitReceipt {
  requireName(receipt.jobId, 'receipt job id');
  requireName(receipt.job, 'receipt job');
  if (!Number.isSafeInteger(receipt.dueAt) || receipt.dueAt <= 0) {
    throw new ParleyError('INTERNAL', 'invalid receipt: due time must be whole milliseconds');
  }
  return receipt;
}

/** The patch's fields split into those to set and those to remove; throws on a value of the wrong type. */
export function splitPatch(patch: SettingsPatch): { set: [string, string][]; remove: string[] } {
  const set: [string, string][] = [];
  const remove: string[] = [];
  for (const field of SETTINGS_FIELDS) {
    const value: unknown = patch[field];
    if (typeof value === 'string') set.push([field, value]);
    else if (value === null) remove.push(field);
    else if (value !== undefined)
      throw new ParleyError('INTERNAL', `invalid settings patch: ${field}`);
  }
  return { set, remove };
}

/** The known settings among stored fields. */
export function readSettings(fields: Readonly<Record<string, string | undefined>>): ScopeSettings {
  const agentId = fields.agentId;
  return agentId === undefined ? {} : { agentId };
}

/** The error a taker rejects with when its signal aborts: always named AbortError, the reason as cause. */
export function abortError(signal: AbortSignal | undefined): Error {
  const error = new Error('gave up waiting for the turn', { cause: signal?.reason });
  error.name = 'AbortError';
  return error;
}

/**
 * For work sent on a place before its admission was answered (TakeTurnOptions.admitted):
 * rejects when the admission refused it (a duplicate), so the place is never joined.
 */
export async function requireAdmitted(admitted: Promise<boolean> | undefined): Promise<void> {
  if (admitted === undefined || (await admitted)) return;
  const error = new Error('the place was not admitted: a duplicate delivery');
  error.name = 'NotAdmitted';
  throw error;
}
