// First: the environment must be in place before the AWS SDK, Powertools or the handlers read it.
import './environment.js';
import { formatIngestPacing, ingestPacingBench, ingestPacingLine, measureIngestPacing } from './ingest-pacing.js';

/**
 * `npx tsx bench/ingest-pacing-main.ts [objects tps jobFiles latencyMs]`: one scenario, printing one
 * `INGEST_PACING {...}` line (what ingestPacingBench reads). Without arguments (`npm run bench:ingest`):
 * 500 objects at FAKE_TPS 20 and at 5 (Rekognition's default quota), each without then with a job of
 * 300 files, each in a process of its own.
 */
const args = process.argv.slice(2, 6).map(Number);
if (args.length) {
  const [objects = 500, tps = 20, jobFiles = 0, latencyMs = 50] = args;
  const report = await measureIngestPacing({ objects, tps, jobFiles, latencyMs });
  console.log(formatIngestPacing([report]));
  console.log(ingestPacingLine(report));
  if (report.anomalies.length) process.exitCode = 1;
} else {
  const reports = [];
  for (const tps of [20, 5]) {
    for (const jobFiles of [0, 300]) reports.push(await ingestPacingBench({ objects: 500, tps, jobFiles, latencyMs: 50 }));
  }
  console.log(formatIngestPacing(reports));
  for (const report of reports) console.log(ingestPacingLine(report));
}
