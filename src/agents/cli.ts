import { readFileSync, writeFileSync } from 'node:fs';
import { environmentWithDotEnv } from '../config/env-file.js';
import { runAgentsCommand } from './agents-command.js';

// The entry point of `npm run agents`: the only place that touches the process.
process.exitCode = await runAgentsCommand(process.argv.slice(2), {
  env: environmentWithDotEnv(process.env),
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, text) => writeFileSync(path, text),
  print: (line) => process.stdout.write(`${line}\n`),
  printError: (line) => process.stderr.write(`${line}\n`),
});
