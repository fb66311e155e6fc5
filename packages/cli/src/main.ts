#!/usr/bin/env node
import { main } from './index';

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lastpass-elastic: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
