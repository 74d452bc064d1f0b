import { parseArgs } from 'node:util';
import { reindexTable } from './reindex.js';
import { LOCAL_NAMES } from './stack.js';
import { startStandIns } from './stand-ins.js';

/**
 * `npm run reindex`: indexes every file for search again (idempotent). Locally on the data dir (stop
 * `npm start` first: the table's files are locked while it runs); `-- --table <name>` on a deployed
 * table, with the AWS credentials and region of the environment.
 */
const { values } = parseArgs({ options: { table: { type: 'string' } } });
const startedAt = Date.now();
if (values.table) {
  const files = await reindexTable(undefined, values.table, { ifNeeded: false });
  console.log(`Indexed ${files} files of ${values.table} in ${Date.now() - startedAt} ms`);
} else {
  const dataDir = process.env.AITAGS_DATA_DIR ?? './.aitags';
  const standIns = await startStandIns(dataDir, LOCAL_NAMES);
  try {
    const files = await reindexTable(standIns.dynamoEndpoint, LOCAL_NAMES.table, { ifNeeded: false });
    console.log(`Indexed ${files} files in ${dataDir} in ${Date.now() - startedAt} ms`);
  } finally {
    await standIns.stop();
  }
}
