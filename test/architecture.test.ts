import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const IMPORT_PATTERN =
  /(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

// `import … from '…'` that is not `import type`: loaded at start-up whatever is configured.
const STATIC_IMPORT_PATTERN = /^import\s(?!type\s)[^;]*?from\s+['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(IMPORT_PATTERN)].map((match) => match[1] ?? match[2] ?? '');
}

function violations(
  files: string[],
  isForbidden: (specifier: string, file: string) => boolean,
): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((specifier) => isForbidden(specifier, file))
      .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
  );
}

// Where each SDK may be imported (STYLE: SDKs stay at the edges).
const SDK_HOMES: Record<string, string> = {
  ioredis: 'src/store/redis-',
  '@mistralai/mistralai': 'src/agent/mistral-',
  '@slack/': 'adapters/slack/',
  'discord.js': 'adapters/discord/',
  '@discordjs/': 'adapters/discord/',
  bullmq: 'src/queue/',
};

describe('architecture', () => {
  const src = sourceFiles(join(ROOT, 'src'));
  const adapters = sourceFiles(join(ROOT, 'adapters'));

  it('keeps src/ free of adapters, except the composition root', () => {
    const isRoot = (file: string) => /src\/(main|app|roles?)[^/]*\.ts$/.test(relative(ROOT, file));

    expect(
      violations(src, (specifier, file) => specifier.includes('adapters/') && !isRoot(file)),
    ).toEqual([]);
  });

  it('loads a platform adapter only when its platform is configured (no static import)', () => {
    const staticImports = src.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(STATIC_IMPORT_PATTERN)]
        .map((match) => match[1] ?? '')
        .filter((specifier) => /adapters\/(slack|discord)\//.test(specifier))
        .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    );

    expect(staticImports).toEqual([]);
  });

  it('keeps each adapter away from the others', () => {
    const platformOf = (file: string) => relative(join(ROOT, 'adapters'), file).split('/')[0] ?? '';

    expect(
      violations(adapters, (specifier, file) => {
        const other =
          /adapters\/(\w+)\//.exec(specifier)?.[1] ?? /^\.\.\/(\w+)\//.exec(specifier)?.[1];
        return other !== undefined && other !== platformOf(file) && other !== 'src';
      }),
    ).toEqual([]);
  });

  it('keeps every SDK in its own edge module', () => {
    const all = [...src, ...adapters];

    expect(
      violations(all, (specifier, file) => {
        const home = Object.entries(SDK_HOMES).find(([sdk]) => specifier.startsWith(sdk))?.[1];
        return home !== undefined && !relative(ROOT, file).startsWith(home);
      }),
    ).toEqual([]);
  });
});
