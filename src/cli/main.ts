#!/usr/bin/env node
// The `gatehouse` executable: everything it does lives in run.ts, which tests call directly.
import { run } from './run.ts';

process.exitCode = await run(process.argv.slice(2));
