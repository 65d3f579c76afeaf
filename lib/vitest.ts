/**
 * vitest integration: add `reftrace/vitest` to `setupFiles` and every test that leaves references live
 * fails, naming the sites that took them. A test that already failed is not blamed again.
 * Covers objects tracked in `list` or `full` mode; tests in a file must not run concurrently.
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ['reftrace/vitest'] } });
 */
import { afterEach, beforeEach } from 'vitest';
import { scopeLeaks } from './leaks.js';
import { configure } from './modes.js';
import { lastRefId } from './ref.js';
import { collectSnapshot } from './snapshot.js';

let start = 0;
let allowed = false;

/** Lets the current test end with live references (a cache under test that keeps some, say). */
export function allowLeaks(): void {
	allowed = true;
}

// Per-test checks replace the exit report, which would repeat leftovers of every test at worker exit.
configure({ exitReport: false });

beforeEach(() => {
	start = lastRefId();
	allowed = false;
});

afterEach((context) => {
	if (allowed || context.task.result?.state === 'fail') return;
	const error = scopeLeaks(collectSnapshot((entry) => entry.rootId > start), `test "${context.task.name}"`);
	if (error !== null) throw error;
});
