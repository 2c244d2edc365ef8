/** The Web API methods the fake implements, by name. Any other name answers `unknown_method`. */
import { deleteMessage, postEphemeral, postMessage, update } from './chat.js';
import { info, replies } from './conversations.js';
import { completeUploadExternal, filesInfo, getUploadURLExternal } from './files.js';
import type { MethodHandler } from './method.js';
import { appendStream, startStream, stopStream } from './stream.js';
import { addReaction, removeReaction, setAssistantStatus } from './thread-extras.js';
import { authTest, usersInfo } from './users.js';

export type { MethodContext, MethodResult } from './method.js';

export const METHODS: Readonly<Record<string, MethodHandler>> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': deleteMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.startStream': startStream,
  'chat.appendStream': appendStream,
  'chat.stopStream': stopStream,
  'conversations.replies': replies,
  'conversations.info': info,
  'users.info': usersInfo,
  'assistant.threads.setStatus': setAssistantStatus,
  'reactions.add': addReaction,
  'reactions.remove': removeReaction,
  'files.getUploadURLExternal': getUploadURLExternal,
  'files.completeUploadExternal': completeUploadExternal,
  'files.info': filesInfo,
};
