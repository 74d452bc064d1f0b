#!/usr/bin/env node
// The `aitags` command (package.json "bin"): the CLI is TypeScript, run through tsx like the rest of the repo.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
