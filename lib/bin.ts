#!/usr/bin/env node
/**
 * The `reftrace` command (`npx reftrace show|diff|merge|check …`): reads saved reports; tracks nothing.
 */
import { runCli } from './cli/main.js';
import { runNodeCli } from './platform/node-cli.js';

runNodeCli(runCli);
