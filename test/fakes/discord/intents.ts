/** Gateway intent bits (Discord's documentation, "Gateway Intents"). */
export const INTENTS = {
  guilds: 1 << 0,
  guildMembers: 1 << 1,
  guildPresences: 1 << 8,
  guildMessages: 1 << 9,
  directMessages: 1 << 12,
  messageContent: 1 << 15,
} as const;

/** Every intent bit Discord defines as of API v10 (bits 0–21, 24, 25). */
export const KNOWN_INTENTS_MASK = (1 << 22) - 1 + (1 << 24) + (1 << 25);

export function hasIntent(intents: number, bit: number): boolean {
  return (intents & bit) === bit;
}
