#!/usr/bin/env node
// Builds dist/ (tsc, then the non-code files the build reads at run time). With --if-stale it
// builds only when dist/ is missing or older than a source, so `npm start` always runs a
// current build, and still starts after `npm ci --omit=dev` (no TypeScript) from a built tree.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const ENTRY = join(ROOT, 'dist', 'src', 'main.js');
const SOURCES = ['src', 'adapters', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
const ASSETS = ['adapters/slack/manifest.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function isCurrent() {
  if (!existsSync(ENTRY)) return false;
  const built = statSync(ENTRY).mtimeMs;
  return SOURCES.every((source) => newestMtime(join(ROOT, source)) <= built);
}

function tscPath() {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

function build() {
  const tsc = tscPath();
  if (tsc === undefined) {
    const state = existsSync(ENTRY) ? 'is older than the sources' : 'is missing';
    console.error(`parley: the build (dist/) ${state}, and TypeScript is not installed.`);
    console.error('Run `npm ci` then `npm run build` (or build elsewhere and ship dist/).');
    // A stale build still runs; a missing one cannot.
    return existsSync(ENTRY) ? 0 : 1;
  }
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) return result.status ?? 1;
  for (const asset of ASSETS) {
    const target = join(ROOT, 'dist', asset);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(ROOT, asset), target);
  }
  return 0;
}

const ifStale = process.argv.includes('--if-stale');
process.exit(ifStale && isCurrent() ? 0 : build());
