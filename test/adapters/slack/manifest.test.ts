import { describe, expect, it } from 'vitest';
import { buildSlackManifest, parseManifestArgs } from '../../../adapters/slack/manifest.js';

type Manifest = {
  features: { slash_commands: { command: string; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    socket_mode_enabled: boolean;
  };
};

describe('Slack app manifest', () => {
  it('fills the request URL in every place Slack calls', () => {
    const manifest = buildSlackManifest({
      kind: 'http',
      baseUrl: 'https://parley.example.com',
    }) as Manifest;

    expect(manifest.settings.event_subscriptions.request_url).toBe(
      'https://parley.example.com/slack/events',
    );
    expect(manifest.features.slash_commands.map((command) => command.url)).toEqual([
      'https://parley.example.com/slack/events',
      'https://parley.example.com/slack/events',
    ]);
    expect(JSON.stringify(manifest)).not.toContain('YOUR-HOST');
  });

  it('declares every scope, event and command Parley uses', () => {
    const manifest = buildSlackManifest({ kind: 'http', baseUrl: 'https://x.example' }) as Manifest;

    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'app_mentions:read',
        'chat:write',
        'chat:write.customize',
        'im:history',
        'channels:history',
        'users:read',
        'commands',
        'assistant:write',
      ]),
    );
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining([
        'app_mention',
        'message.channels',
        'message.im',
        'message.groups',
        'message.mpim',
      ]),
    );
    expect(manifest.features.slash_commands.map((command) => command.command)).toEqual([
      '/parley',
      '/roleplay',
    ]);
  });

  it('switches to Socket Mode without request URLs', () => {
    const manifest = buildSlackManifest({ kind: 'socket' }) as Manifest;

    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(manifest)).not.toContain('request_url');
    expect(JSON.stringify(manifest)).not.toContain('YOUR-HOST');
  });

  it.each([
    [[], 'usage'],
    [['--url', 'not a url'], 'usage'],
    [['--url', 'http://example.com'], 'usage'],
    [['--url', 'https://example.com'], 'http'],
    [['--socket'], 'socket'],
  ])('reads %j as %s', (argv, kind) => {
    expect(parseManifestArgs(argv).kind).toBe(kind);
  });
});
