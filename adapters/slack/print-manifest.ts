import { buildSlackManifest, parseManifestArgs } from './manifest.js';

// `npm run slack:manifest -- --url https://parley.example.com` (or `-- --socket`):
// paste the output at https://api.slack.com/apps → Create New App → From a manifest.
const target = parseManifestArgs(process.argv.slice(2));
if (target.kind === 'usage') {
  process.stderr.write(
    `slack:manifest: ${target.problem}\nusage: npm run slack:manifest -- --url https://your-host | --socket\n`,
  );
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(buildSlackManifest(target), null, 2)}\n`);
