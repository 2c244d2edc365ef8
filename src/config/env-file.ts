import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Env } from './config.js';

/** The process environment over the values of a `.env` file, when one exists; the environment wins. */
export function environmentWithDotEnv(env: Env, path = '.env'): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return env;
  }
  return { ...parseEnv(text), ...definedOnly(env) };
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}
