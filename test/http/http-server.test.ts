import { afterEach, describe, expect, it } from 'vitest';
import { createHealthCheck, type PlatformStatus } from '../../src/http/health.js';
import { createHttpServer, type HttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPrometheusMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import type { ConversationStore } from '../../src/store/store.js';

const limits = { maxMessages: 10, maxChars: 1_000, ttlMs: 60_000 };
const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(
  options: {
    store?: ConversationStore;
    platform?: PlatformStatus;
    platforms?: Readonly<Record<string, PlatformStatus>>;
    metrics?: Metrics;
  } = {},
) {
  const store = options.store ?? createMemoryConversationStore({ limits });
  const statuses = options.platforms ?? (options.platform ? { slack: options.platform } : {});
  const platforms = Object.entries(statuses).map(([platform, status]) => ({
    platform,
    status: () => status,
  }));
  const server = createHttpServer({
    logger: silentLogger,
    metrics: options.metrics ?? createPrometheusMetrics(),
    health: createHealthCheck(store, () => platforms),
  });
  servers.push(server);
  const port = await server.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

describe('HTTP server', () => {
  it('reports healthy when the store answers and every platform is connected', async () => {
    const base = await serve({ platform: { state: 'connected' } });

    const response = await fetch(`${base}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      ready: true,
      store: 'up',
      platforms: { slack: { state: 'connected' } },
    });
  });

  it('stays alive and ready while Discord runs degraded, saying why in the body', async () => {
    const detail = 'Turn on the Message Content intent to read follow-ups without a mention';
    const base = await serve({ platforms: { discord: { state: 'degraded', detail } } });

    const [health, ready] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`)]);

    expect([health.status, ready.status]).toEqual([200, 200]);
    expect(await health.json()).toEqual({
      ok: true,
      ready: true,
      store: 'up',
      platforms: { discord: { state: 'degraded', detail } },
    });
  });

  it('stays alive but not ready while one platform reconnects and the other serves', async () => {
    const base = await serve({
      platforms: { slack: { state: 'connected' }, discord: { state: 'connecting' } },
    });

    const [health, ready] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`)]);

    expect([health.status, ready.status]).toEqual([200, 503]);
    expect(await ready.json()).toMatchObject({
      ok: true,
      ready: false,
      platforms: { discord: { state: 'connecting' } },
    });
  });

  it('answers 503 on both when no platform is connected at all', async () => {
    const base = await serve({
      platforms: { slack: { state: 'disconnected' }, discord: { state: 'connecting' } },
    });

    const [health, ready] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`)]);

    expect([health.status, ready.status]).toEqual([503, 503]);
  });

  it('keeps a worker, which runs no platform, alive and ready while the store answers', async () => {
    const base = await serve();

    const [health, ready] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`)]);

    expect([health.status, ready.status]).toEqual([200, 200]);
  });

  it('answers 503 with the reason when a platform is down', async () => {
    const base = await serve({
      platform: { state: 'disconnected', detail: 'SLACK_BOT_TOKEN was refused' },
    });

    const response = await fetch(`${base}/healthz`);

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      ok: false,
      platforms: { slack: { detail: 'SLACK_BOT_TOKEN was refused' } },
    });
  });

  it('answers 503 on both when the store does not answer', async () => {
    const store = { ...createMemoryConversationStore({ limits }), ping: async () => false };
    const base = await serve({ store, platform: { state: 'connected' } });

    const [health, ready] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`)]);

    expect([health.status, ready.status]).toEqual([503, 503]);
    expect(await health.json()).toMatchObject({ ok: false, ready: false, store: 'down' });
  });

  it('serves Prometheus metrics: messages, agent latency and errors', async () => {
    const metrics = createPrometheusMetrics();
    metrics.messageHandled('slack', 'replied');
    metrics.agentLatency('first_token', 0.3);
    metrics.error('AGENT_RATE_LIMITED');
    const base = await serve({ metrics });

    const response = await fetch(`${base}/metrics`);
    const text = await response.text();

    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('parley_messages_handled_total{platform="slack",outcome="replied"} 1');
    expect(text).toContain('parley_agent_latency_seconds_bucket{le="0.5",phase="first_token"} 1');
    expect(text).toContain('parley_errors_total{code="AGENT_RATE_LIMITED"} 1');
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    const base = await serve();

    const [missing, wrongMethod] = await Promise.all([
      fetch(`${base}/nowhere`),
      fetch(`${base}/healthz`, { method: 'POST' }),
    ]);

    expect([missing.status, wrongMethod.status]).toEqual([404, 405]);
  });
});
