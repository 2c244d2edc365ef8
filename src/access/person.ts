import type { Platform } from '../core/model.js';

/** The key rate limits and role-play counts are kept under: one person on one platform. */
export function personKey(platform: Platform, userId: string): string {
  return `${platform}:${userId}`;
}
