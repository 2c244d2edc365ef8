import { readFileSync } from 'node:fs';
import { SLACK_EVENTS_PATH } from './slack-adapter.js';

const MANIFEST_PATH = new URL('./manifest.json', import.meta.url);
const PLACEHOLDER_URL = 'https://YOUR-HOST/slack/events';

export type ManifestTarget =
  | { readonly kind: 'http'; readonly baseUrl: string }
  | { readonly kind: 'socket' };

/** The Slack app manifest with request URLs filled in (HTTP) or Socket Mode switched on. */
export function buildSlackManifest(target: ManifestTarget): unknown {
  const text = readFileSync(MANIFEST_PATH, 'utf8');
  if (target.kind === 'http') {
    const events = new URL(SLACK_EVENTS_PATH, withTrailingSlash(target.baseUrl)).toString();
    return JSON.parse(text.replaceAll(PLACEHOLDER_URL, events));
  }
  const manifest = JSON.parse(text) as {
    settings: Record<string, unknown>;
    features: Record<string, unknown>;
  };
  const { request_url: _events, ...subscriptions } = manifest.settings
    .event_subscriptions as Record<string, unknown>;
  manifest.settings = {
    ...manifest.settings,
    socket_mode_enabled: true,
    event_subscriptions: subscriptions,
    interactivity: { is_enabled: true },
  };
  const commands = manifest.features.slash_commands as Record<string, unknown>[];
  manifest.features.slash_commands = commands.map(({ url: _url, ...command }) => command);
  return manifest;
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Reads `--url <https://…>` or `--socket` from the command line. */
export function parseManifestArgs(
  argv: readonly string[],
): ManifestTarget | { readonly kind: 'usage'; readonly problem: string } {
  if (argv.includes('--socket')) return { kind: 'socket' };
  const index = argv.indexOf('--url');
  const value = index === -1 ? undefined : argv[index + 1];
  if (value === undefined)
    return {
      kind: 'usage',
      problem: 'give --url https://your-host (where Parley is reachable) or --socket',
    };
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.hostname !== 'localhost') {
      return { kind: 'usage', problem: 'Slack only calls https:// request URLs' };
    }
    return { kind: 'http', baseUrl: url.toString() };
  } catch {
    return { kind: 'usage', problem: `not a URL: ${value.slice(0, 100)}` };
  }
}
