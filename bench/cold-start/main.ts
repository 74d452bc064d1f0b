import { coldStartBench, coldStartLine, formatColdStartTable } from './run.js';

/** `npx tsx bench/cold-start/main.ts [runs]`: the cold-start table alone, then one `COLDSTART {...}` line. */
// The bench's own SDK clients (seeding the stand-ins) run on Node 20 too: keep the deprecation notice out of the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const runs = process.argv[2] ? Number(process.argv[2]) : undefined;
const report = await coldStartBench({ runs });
console.log(formatColdStartTable(report));
console.log(coldStartLine(report));
if (report.failed.length) process.exitCode = 1;
