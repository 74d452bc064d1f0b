// Preloaded (node --import) into a process under test: every TCP connection (HTTP, TLS, fetch) and every
// callback dns.lookup towards anything but loopback is refused and reported on stderr as `OUTSIDE <what>`,
// so a test can assert there was none. Resolutions through dns/promises (the webhook-target checks of test
// hosts such as hooks.example.com) still ask the system resolver: a name, never a connection to it.
// With OUTSIDE_TRAFFIC_LOG set, also appended to that file (from every process, children included: npm test
// preloads it everywhere, test/outside-traffic.global.ts). OUTSIDE_TRAFFIC_ALLOW: hosts let through, comma-separated.
import { appendFileSync } from 'node:fs';
import dns from 'node:dns';
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;
const ALLOWED = new Set((process.env.OUTSIDE_TRAFFIC_ALLOW ?? '').split(',').filter(Boolean));
const local = (host) => LOOPBACK.test(String(host)) || ALLOWED.has(String(host));
const report = (what) => {
  process.stderr.write(`OUTSIDE ${what}\n`);
  if (process.env.OUTSIDE_TRAFFIC_LOG)
    appendFileSync(process.env.OUTSIDE_TRAFFIC_LOG, `${process.pid} ${process.argv.slice(1).join(' ').slice(0, 160)}: ${what}\n`);
};

// Sent to a closed loopback port instead: the caller sees a refused connection, as without a network.
const REFUSED = { host: '127.0.0.1', port: 1 };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : 'localhost' };
  if (options.path || local(options.host ?? 'localhost')) return connect.apply(this, args);
  report(`connect ${options.host}:${options.port}`);
  const callback = args.find((arg) => typeof arg === 'function');
  return connect.call(this, { ...options, ...REFUSED, lookup: undefined }, ...(callback ? [callback] : []));
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (!local(hostname)) {
    report(`lookup ${hostname}`);
    const callback = rest.at(-1);
    const error = Object.assign(new Error(`outside lookup refused: ${hostname}`), { code: 'ENOTFOUND' });
    if (typeof callback === 'function') process.nextTick(callback, error);
    return {};
  }
  return lookup.call(this, hostname, ...rest);
};
