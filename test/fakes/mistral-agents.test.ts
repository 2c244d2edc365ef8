import type { Mistral } from '@mistralai/mistralai';
import { MistralError } from '@mistralai/mistralai/models/errors';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mistralFor } from '../support/sdk-clients.js';
import { type FakeMistral, startFakeMistral } from './mistral/fake-mistral.js';

let fake: FakeMistral;

const sdk = (): Mistral => mistralFor(fake);

async function statusOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return error instanceof MistralError ? error.statusCode : -1;
  }
}

describe('fake Mistral agents endpoints, through the real SDK', () => {
  beforeAll(async () => {
    fake = await startFakeMistral();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('creates an agent with what was sent, as version 0', async () => {
    const agent = await sdk().beta.agents.create({
      name: 'French',
      model: 'mistral-large-latest',
      instructions: 'Réponds en français.',
      tools: [{ type: 'web_search' }, { type: 'document_library', libraryIds: ['lib-1'] }],
      completionArgs: { temperature: 0.3, topP: 0.9, maxTokens: 500 },
      metadata: { parley_alias: 'french' },
    });

    expect(agent).toMatchObject({
      name: 'French',
      model: 'mistral-large-latest',
      instructions: 'Réponds en français.',
      tools: [{ type: 'web_search' }, { type: 'document_library', libraryIds: ['lib-1'] }],
      completionArgs: { temperature: 0.3, topP: 0.9, maxTokens: 500 },
      metadata: { parley_alias: 'french' },
      version: 0,
      versions: [0],
    });
    expect(fake.agentWrites).toEqual([expect.objectContaining({ method: 'POST', id: agent.id })]);
  });

  it('makes each update a new version and keeps the old ones readable', async () => {
    const created = await sdk().beta.agents.create({ name: 'A', model: 'm' });

    const updated = await sdk().beta.agents.update({
      agentId: created.id,
      updateAgentRequest: { instructions: 'Be brief.' },
    });
    const first = await sdk().beta.agents.get({ agentId: created.id, agentVersion: 0 });

    expect(updated).toMatchObject({
      name: 'A',
      instructions: 'Be brief.',
      version: 1,
      versions: [0, 1],
    });
    expect(first.instructions).toBeNull();
    expect((await sdk().beta.agents.get({ agentId: created.id })).version).toBe(1);
  });

  it('resolves handoffs to agents it knows and refuses others', async () => {
    const target = await sdk().beta.agents.create({ name: 'T', model: 'm' });

    const withHandoff = await sdk().beta.agents.create({
      name: 'S',
      model: 'm',
      handoffs: [target.id],
    });
    const refused = await statusOf(
      sdk().beta.agents.create({ name: 'S', model: 'm', handoffs: ['ag_unknown'] }),
    );

    expect(withHandoff.handoffs).toEqual([target.id]);
    expect(refused).toBe(422);
  });

  it('refuses what Mistral refuses: a missing name, an unknown tool, bad completion arguments', async () => {
    const post = (body: unknown) =>
      fetch(`${fake.url}/v1/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((response) => response.status);

    const statuses = [
      await post({ model: 'm' }),
      await post({ name: 'n' }),
      await post({ name: 'n', model: 'm', tools: [{ type: 'telepathy' }] }),
      await post({ name: 'n', model: 'm', completion_args: { temperature: 9 } }),
      await post({ name: 'n', model: 'm', completion_args: { colour: 'blue' } }),
    ];

    expect(statuses).toEqual([422, 422, 422, 422, 422]);
    expect(fake.agentWrites).toEqual([]);
  });

  it('pages the list and filters it by metadata', async () => {
    for (const alias of ['a', 'b', 'c']) {
      await sdk().beta.agents.create({
        name: alias,
        model: 'm',
        metadata: { parley_alias: alias },
      });
    }

    const names: string[] = [];
    for await (const page of await sdk().beta.agents.listPages({ pageSize: 2 })) {
      names.push(...page.result.data.map((agent) => agent.name));
    }
    const filtered = await sdk().beta.agents.listPages({ metadata: { parley_alias: 'b' } });

    expect(names).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    expect(filtered.result.data.map((agent) => agent.name)).toEqual(['b']);
  });

  it('answers completions for an agent it created', async () => {
    const agent = await sdk().beta.agents.create({ name: 'Echo', model: 'm' });

    const answer = await sdk().agents.complete({
      agentId: agent.id,
      messages: [{ role: 'user', content: 'hello' }],
    });

    expect(answer.choices[0]?.message?.content).toBe('echo: hello');
  });
});
