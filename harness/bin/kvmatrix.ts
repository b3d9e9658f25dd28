#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// The kvmatrix executable. Node 24 (pinned as the `node` devDependency) runs the TypeScript
// sources directly by stripping types; no build step.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
