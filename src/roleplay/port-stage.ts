import type { ThreadRef } from '../core/model.js';
import type { ReplyPort } from '../core/replies.js';
import type { Actor } from './play.js';
import type { RoleplayEngine, Stage } from './roleplay-engine.js';

/** A platform's stage built from its reply port: any process that can post can stage a play. */
export function stageFromPort(port: ReplyPort): (thread: ThreadRef) => Stage {
  return (thread) => ({
    line: (actor: Actor) =>
      port.sink(
        port.targetFor(thread, {
          name: actor.name,
          ...(actor.avatarUrl === undefined ? {} : { avatarUrl: actor.avatarUrl }),
        }),
      ),
    say: (text) => port.say(port.targetFor(thread), text),
  });
}

/** Lets the engine stage plays on the port's platform. */
export function stagePlaysThrough(engine: RoleplayEngine, port: ReplyPort): void {
  engine.addStage(port.platform, stageFromPort(port));
}
