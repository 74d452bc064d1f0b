// First: the environment must be in place before the AWS SDK, Powertools or the handlers read it.
import './environment.js';
import { type BurstPhoto, formatProviderBurst, measureProviderBurst, providerBurstLine } from './provider-burst.js';

/**
 * `npx tsx bench/provider-burst-main.ts [uploads=500] [tps=5] [concurrency=16] [small|bench]`: the provider
 * burst alone, then one `PROVIDER_BURST {...}` line (what providerBurstBench reads).
 */
const [uploads = 500, tps = 5, concurrency = 16] = process.argv.slice(2, 5).map(Number);
const photo = (process.argv[5] ?? 'small') as BurstPhoto;
if (photo !== 'small' && photo !== 'bench') throw new Error(`photo must be small or bench (got ${photo})`);
const report = await measureProviderBurst({ uploads, tps, concurrency, photo });
console.log(formatProviderBurst(report));
console.log(providerBurstLine(report));
const unfinished = Object.values(report.statuses).some((counts) => Object.keys(counts).some((status) => status !== 'success'));
if (unfinished) process.exitCode = 1;
