import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const GUARD = fileURLToPath(new URL('./outside-traffic-guard.mjs', import.meta.url));

/** A process with the guard preloaded, its own log off (this test's attempts are meant: they must not fail the run). */
async function guarded(script: string) {
  const { OUTSIDE_TRAFFIC_LOG: _log, ...inherited } = process.env;
  const env = { ...inherited, OUTSIDE_TRAFFIC_ALLOW: '', NODE_OPTIONS: '' };
  const { stdout, stderr } = await run(process.execPath, ['--import', GUARD, '--input-type=module', '-e', script], { env });
  return { stdout: stdout.trim(), outside: stderr.split('\n').filter((line) => line.startsWith('OUTSIDE ')) };
}

const CONNECT = (host: string) => `
  import net from 'node:net';
  const socket = net.connect({ host: '${host}', port: 80 });
  socket.once('connect', () => { console.log('connected'); socket.destroy(); });
  socket.once('error', (error) => console.log(error.code));`;

describe('the outside-traffic guard', () => {
  it('refuses and reports a connection outside loopback (the caller sees it refused)', async () => {
    expect(await guarded(CONNECT('169.254.169.254'))).toEqual({ stdout: 'ECONNREFUSED', outside: ['OUTSIDE connect 169.254.169.254:80'] });
  });

  it('refuses and reports a name lookup outside loopback', async () => {
    const script = `import dns from 'node:dns'; dns.lookup('example.com', (error) => console.log(error?.code));`;
    expect(await guarded(script)).toEqual({ stdout: 'ENOTFOUND', outside: ['OUTSIDE lookup example.com'] });
  });

  it('lets loopback through', async () => {
    const server = `
      import http from 'node:http';
      const server = http.createServer((_, response) => response.end('ok')).listen(0, '127.0.0.1', async () => {
        const answer = await (await fetch('http://localhost:' + server.address().port)).text();
        console.log(answer);
        server.close();
      });`;
    expect(await guarded(server)).toEqual({ stdout: 'ok', outside: [] });
  });
});
