/**
 * `node --test` integration: `node --test --import reftrace/node-test` and every test that leaves
 * references live fails, naming the sites that took them. A test that already failed is not blamed
 * again; `allowLeaks()` lets one test keep its references. Works with the default process-per-file
 * isolation and with `--test-isolation=none`. Covers objects tracked in `list` or `full` mode; tests must
 * not run concurrently (`concurrency` above 1 mixes their references).
 * @example
 * // package.json
 * "scripts": { "test": "node --test --import reftrace/node-test" }
 */
import { afterEach, beforeEach } from './platform/node-test-hooks.js';
import { testCheck } from './leak-window.js';
import { nodeHost } from './platform/node.js';
import { configure } from './settings.js';
import { start } from './start.js';
import { traceWhenAsked } from './trace.js';

const check = testCheck();

/** Lets the current test end with live references (a cache under test that keeps some, say). */
export function allowLeaks(): void {
	check.allow();
}

start(nodeHost, traceWhenAsked);
// Per-test checks replace the exit report, which would repeat every test's leftovers at exit.
configure({ exitReport: false });

// Hooks made at the top level, outside any test, apply to every test of the run (each file's, too).
beforeEach((context) => check.begin(`test "${context.name}"`));

// `passed` is false for a test that failed already (and for one whose earlier hook failed).
afterEach((context) => check.end((context as { passed?: boolean }).passed === false));
