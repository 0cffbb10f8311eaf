#!/usr/bin/env node
// The `cxauth` executable: a thin launcher for the compiled CLI (built by `npm install` / `npm run build`).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
