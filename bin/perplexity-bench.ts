#!/usr/bin/env node
// The installed package's command (compiled to dist/bin/perplexity-bench.js). In a clone, `npx tsx harness/cli.ts` is the same.
import { main } from '../harness/cli.ts';

process.exitCode = await main(process.argv.slice(2));
