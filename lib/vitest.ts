/**
 * vitest integration: add `reftrace/vitest` to `setupFiles` and every test that leaves references live
 * fails, naming the sites that took them. A test that already failed is not blamed again.
 * Covers objects tracked in `list` or `full` mode; tests in a file must not run concurrently.
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ['reftrace/vitest'] } });
 */
import { beforeEach, type TestContext } from 'vitest';
import { EntryLog } from './entry-log.js';
import { withMessage } from './errors.js';
import { scopeLeak } from './explain.js';
import { nodeHost } from './platform/node.js';
import type { Entry } from './record.js';
import { lastRefId } from './ref.js';
import { configure } from './settings.js';
import { start } from './start.js';

let firstRef = 0;
let allowed = false;
const takenInTest = (entry: Entry): boolean => entry.rootId > firstRef;
// The references taken since the test began: the check at its end looks at those, not at every live one.
const taken = new EntryLog(takenInTest);

/** Lets the current test end with live references (a cache under test that keeps some, say). */
export function allowLeaks(): void {
	allowed = true;
}

start(nodeHost);
// Per-test checks replace the exit report, which would repeat leftovers of every test at worker exit.
configure({ exitReport: false });

/*
 * The check runs as the test's first onTestFinished callback, not as an afterEach hook: vitest runs
 * onTestFinished callbacks in reverse order after every afterEach hook and beforeEach cleanup, whatever
 * `sequence.hooks` says, so references a test's own hooks release are released by then. An afterEach hook
 * registered here would run first under `list` and alongside the others under `parallel`.
 */
beforeEach((context) => {
	firstRef = lastRefId();
	allowed = false;
	taken.clear();
	taken.start();
	context.onTestFinished(checkTest);
});

function checkTest(context: TestContext): void {
	if (allowed || context.task.result?.state === 'fail') return;
	const error = scopeLeak(taken.listed(), takenInTest, `test "${context.task.name}"`, checkTest);
	taken.clear();
	if (error !== null) throw withMessage(error);
}
