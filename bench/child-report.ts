import { spawn } from 'node:child_process';

/**
 * Runs a bench part in a process of its own (a clean heap and event loop) and answers the report it
 * prints as one line `<prefix><JSON>`; its other output goes by.
 */
export function runReportingChild<Report>(script: string, args: string[], prefix: string, what: string): Promise<Report> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.split('\n').find((text) => text.startsWith(prefix));
      if (code !== 0 || !line) reject(new Error(`${what} exited with ${code}: ${output.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(prefix.length)) as Report);
    });
  });
}

/** The line a bench part's process prints for runReportingChild. */
export const reportLine = (prefix: string, report: unknown) => `${prefix}${JSON.stringify(report)}`;
