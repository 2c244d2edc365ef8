import { describe, expect, it } from 'vitest';
import { markdownToMrkdwn, slackTextToMarkdown } from '../../../adapters/slack/slack-text.js';

const names: Record<string, string> = { U1: 'Ada', U2: 'Grace' };
const nameOf = async (id: string) => names[id] ?? id;

describe('slackTextToMarkdown', () => {
  it('drops the bot mention and names other people', async () => {
    const text = await slackTextToMarkdown(
      '<@U0BOT> ask <@U2> and <@U1|ada> about it',
      'U0BOT',
      nameOf,
    );

    expect(text).toBe('ask @Grace and @Ada about it');
  });

  it('unwraps channels, links, broadcasts and escapes', async () => {
    const text = await slackTextToMarkdown(
      'see <#C1|general>, <https://a.example|the doc> and <https://b.example> <!here> 1 &lt; 2 &amp;&amp; 3 &gt; 2',
      'U0BOT',
      nameOf,
    );

    expect(text).toBe(
      'see #general, [the doc](https://a.example) and https://b.example @here 1 < 2 && 3 > 2',
    );
  });
});

describe('markdownToMrkdwn', () => {
  it('renders Markdown as Slack mrkdwn', () => {
    const out = markdownToMrkdwn('**bold** and [link](https://x.example)');

    expect(out).toContain('*bold*');
    expect(out).toContain('<https://x.example|link>');
    expect(out).not.toContain('**');
  });

  it('keeps code blocks as code blocks', () => {
    expect(markdownToMrkdwn('```js\nconst a = 1;\n```')).toContain('```\nconst a = 1;\n```');
  });

  it('writes every < of the agent’s as an entity, so none opens a link of its own', () => {
    const out = markdownToMrkdwn(
      'List<String>, `Map<K, V>` and [Forecast<T> docs](https://dev.example/t) or <https://a.example>',
    );

    expect(out).toBe(
      'List&lt;String&gt;, `Map&lt;K, V&gt;` and <https://dev.example/t|Forecast&lt;T&gt; docs> or <https://a.example|https://a.example>',
    );
  });
});
