import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../errors.js';

export type ReplyOutcome = 'replied' | 'duplicate' | 'failed' | 'handed_back';

/** What Parley counts, as the dispatcher and adapters see it. */
export interface Metrics {
  messageHandled(platform: string, outcome: ReplyOutcome): void;
  agentLatency(phase: 'first_token' | 'complete', seconds: number): void;
  error(code: ErrorCode): void;
  /** Something refused by access control or a limit (`parley_refused_total{reason}`). */
  refused(reason: string): void;
  /** Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

// Agents take from a fraction of a second to minutes; buckets span both ends.
const LATENCY_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];

/** Prometheus metrics on a registry of their own (no global state between instances). */
export function createPrometheusMetrics(options: { collectProcess?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.collectProcess) collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const messages = new Counter({
    name: 'parley_messages_handled_total',
    help: 'Messages handled, by platform and outcome',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'parley_agent_latency_seconds',
    help: 'Agent latency: to the first streamed token, and to the complete answer',
    labelNames: ['phase'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'parley_errors_total',
    help: 'Failed replies, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'parley_refused_total',
    help: 'Messages, commands and role-play lines refused, by reason (access, limits, admin-only settings)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return {
    messageHandled: (platform, outcome) => messages.inc({ platform, outcome }),
    agentLatency: (phase, seconds) => latency.observe({ phase }, seconds),
    error: (code) => errors.inc({ code }),
    refused: (reason) => refusals.inc({ reason }),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
