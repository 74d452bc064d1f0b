// First: the environment must be in place before the AWS SDK, Powertools or the handlers read it.
import './environment.js';
import { formatTaggingJobs, measureTaggingJobs, taggingJobsLine } from './tagging-jobs.js';

/**
 * `npx tsx bench/tagging-jobs-main.ts [files=2000] [tps=20] [latencyMs=50] [visionRpm=6000]`: the tagging
 * job bench alone, then one `TAGGING_JOBS {...}` line (what taggingJobsBench reads).
 */
const [files = 2000, tps = 20, latencyMs = 50, visionRpm = 6000] = process.argv.slice(2, 6).map(Number);
const report = await measureTaggingJobs({ files, tps, latencyMs, visionRpm });
console.log(formatTaggingJobs(report));
console.log(taggingJobsLine(report));
if (report.anomalies.length) process.exitCode = 1;
