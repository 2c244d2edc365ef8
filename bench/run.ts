/**
 * `npm run bench`: every section in turn, or those named in `BENCH_ONLY` (comma-separated,
 * e.g. `BENCH_ONLY=load`). Each section is imported only when it runs, so one whose code no
 * longer loads does not stop the others.
 */

type Section = () => Promise<void>;

const SECTIONS: Readonly<Record<string, () => Promise<Section>>> = {
  overhead: async () => (await import('./overhead.js')).runOverhead,
  platform: async () => (await import('./overhead.js')).runPlatformLatency,
  load: async () => (await import('./load.js')).runLoad,
  recovery: async () => (await import('./recovery.js')).runRecovery,
};

function selectedSections(only: string | undefined): string[] {
  const all = Object.keys(SECTIONS);
  if (only === undefined || only.trim() === '') return all;
  const names = only
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    throw new Error(`BENCH_ONLY: unknown section ${unknown.join(', ')} (known: ${all.join(', ')})`);
  }
  return names;
}

for (const name of selectedSections(process.env.BENCH_ONLY)) {
  const load = SECTIONS[name];
  if (load === undefined) continue;
  console.log(`\n== bench: ${name} ==`);
  await (await load())();
}
