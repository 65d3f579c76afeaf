/**
 * vitest integration: add `reftrace/vitest` to `setupFiles` and every test that leaves references live
 * fails, naming the sites that took them. A test that already failed is not blamed again.
 * Covers objects tracked in `list` or `full` mode; tests in a file must not run concurrently.
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ['reftrace/vitest'] } });
 */
import { afterEach, beforeEach, type TestContext } from 'vitest';
import { withMessage } from './errors.js';
import { scopeLeak } from './explain.js';
import { nodeHost } from './platform/node.js';
import { lastRefId } from './ref.js';
import { configure } from './settings.js';
import { start } from './start.js';

let firstRef = 0;
let allowed = false;

/** Lets the current test end with live references (a cache under test that keeps some, say). */
export function allowLeaks(): void {
	allowed = true;
}

start(nodeHost);
// Per-test checks replace the exit report, which would repeat leftovers of every test at worker exit.
configure({ exitReport: false });

beforeEach(() => {
	firstRef = lastRefId();
	allowed = false;
});

function checkTest(context: TestContext): void {
	if (allowed || context.task.result?.state === 'fail') return;
	const error = scopeLeak((entry) => entry.rootId > firstRef, `test "${context.task.name}"`, checkTest);
	if (error !== null) throw withMessage(error);
}

afterEach(checkTest);
