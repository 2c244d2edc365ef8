import { threadKey } from '../core/model.js';
import type { PlayQuota } from '../roleplay/play-quota.js';
import type { Access } from './access.js';
import { durationText } from './rate-limit.js';

/** The role-play engine's per-person limits, from access control. */
export function playQuotaOf(access: Access): PlayQuota {
  return {
    maxRunningPerPerson: access.config.roleplayMaxPerUser,
    async takeLine(play, turn) {
      // Named by the line, so a line retried after a crash counts once.
      const callId = `play:${threadKey(play.thread)}#${turn}`;
      const outcome = await access.take(play.thread.platform, play.startedBy.id, callId);
      if (outcome.kind === 'allowed') return undefined;
      const limit = access.config.userRateLimit?.text ?? '';
      return `Stopped: ${play.startedBy.name}, who started this role-play, reached their limit of agent requests (${limit}). They can start one again in ${durationText(outcome.retryAfterMs)}.`;
    },
    refused: (reason) => access.refused(reason),
  };
}
