import type { Env } from './config.js';

/** Reads environment variables by name, recording each problem; never echoes a value. */
export interface Reader {
  optional(name: string): string | undefined;
  required(name: string, hint: string): string;
  token(name: string, prefix: string): string | undefined;
  url(name: string, protocols: readonly string[]): string | undefined;
  int(name: string, fallback: number, min: number, max: number): number;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  problem(text: string): void;
}

/** Field readers that record problems by variable name and never echo a value. */
export function reader(env: Env, problems: string[]): Reader {
  const optional = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    optional,
    problem: (text) => problems.push(text),
    required(name, hint) {
      const value = optional(name);
      if (value === undefined) problems.push(`${name} is required: ${hint}`);
      return value ?? '';
    },
    token(name, prefix) {
      const value = optional(name);
      if (value !== undefined && !value.startsWith(prefix)) {
        problems.push(`${name} must start with "${prefix}" (check you pasted the right token)`);
      }
      return value;
    },
    url(name, protocols) {
      const value = optional(name);
      if (value === undefined) return undefined;
      if (!isUrl(value, protocols)) {
        problems.push(`${name} must be a ${protocols.join(' or ')}// URL`);
        return undefined;
      }
      return value;
    },
    int(name, fallback, min, max) {
      const value = optional(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    },
    oneOf(name, allowed, fallback) {
      const value = optional(name)?.toLowerCase();
      if (value === undefined) return fallback;
      const match = allowed.find((candidate) => candidate === value);
      if (match === undefined) problems.push(`${name} must be one of ${allowed.join(', ')}`);
      return match ?? fallback;
    },
  };
}

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
