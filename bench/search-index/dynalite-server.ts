import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/**
 * `node --import tsx bench/search-index/dynalite-server.ts <data dir>`: dynalite in a process of its own,
 * so that its work and the SDK client's (about 1 ms of CPU per request) can run on separate cores.
 * Prints `PORT <n>` once it listens; stops when its parent closes stdin.
 */
const path = process.argv[2];
if (!path) throw new Error('usage: dynalite-server.ts <data dir>');
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`));
process.stdin.resume();
process.stdin.once('end', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
