import { rename, writeFile } from 'node:fs/promises';
import type { AitagsStackProps } from '../infra/aitags-stack.js';
import { synthesizeTemplate } from './synthesize.js';

/**
 * `node --import tsx local/synth-main.ts <out.json> <props JSON>`: the stack's template, written to a file.
 * The local runtime runs it as a child process, so that aws-cdk-lib never loads in the server.
 */
const [out, props = '{}'] = process.argv.slice(2);
if (!out) throw new Error('usage: synth-main.ts <out.json> [props JSON]');
const template = synthesizeTemplate(JSON.parse(props) as AitagsStackProps);
// Written aside, then renamed: a stack starting at the same moment reads a whole template or none.
const partial = `${out}.${process.pid}.partial`;
await writeFile(partial, JSON.stringify(template));
await rename(partial, out);
