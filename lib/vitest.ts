/**
 * vitest integration: add `reftrace/vitest` to `setupFiles` and every test that leaves references live
 * fails, naming the sites that took them. A test that already failed is not blamed again.
 * Covers objects tracked in `list` or `full` mode; tests in a file must not run concurrently.
 * Also loads under `bun test --preload reftrace/vitest` (Bun's vitest-compatible hooks; see the README).
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ['reftrace/vitest'] } });
 */
import { afterEach, beforeEach, type TestContext } from 'vitest';
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
// Per-test checks replace the exit report, which would repeat leftovers of every test at worker exit.
configure({ exitReport: false });

/*
 * Under vitest the check runs as the test's first onTestFinished callback, not as an afterEach hook:
 * vitest runs onTestFinished callbacks in reverse order after every afterEach hook and beforeEach cleanup,
 * whatever `sequence.hooks` says, so references a test's own hooks release are released by then. An
 * afterEach hook registered here would run first under `list` and alongside the others under `parallel`.
 * Bun's test runner passes no context to hooks, and takes a hook that declares a parameter for one that
 * waits for a `done` callback: the hooks declare none, and there the check is an afterEach hook.
 */
beforeEach((...args: [TestContext?]) => {
	const [context] = args;
	const name = context?.task?.name;
	check.begin(name === undefined ? 'this test' : `test "${name}"`);
	if (typeof context?.onTestFinished === 'function') context.onTestFinished(checkTest);
});

afterEach((...args: [TestContext?]) => {
	const [context] = args;
	if (typeof context?.onTestFinished !== 'function') checkTest(context);
});

function checkTest(context?: TestContext): void {
	check.end(context?.task?.result?.state === 'fail');
}
