import { run } from './run.js';

// The process around run(): Ctrl-C aborts what is going on (a second one ends the process as usual).
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
process.exitCode = await run(
  process.argv.slice(2),
  process.env,
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  interrupt.signal,
);
