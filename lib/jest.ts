/**
 * Jest integration: add `reftrace/jest` to `setupFilesAfterEnv` and every test that leaves references
 * live fails, naming the sites that took them. A test that already failed is not blamed again;
 * `allowLeaks()` lets one test keep its references. Covers objects tracked in `list` or `full` mode.
 * @example
 * // jest.config.js
 * export default { setupFilesAfterEnv: ['reftrace/jest'] };
 */
import { testCheck } from './leak-window.js';
import { nodeHost, useMainRealmStackHook } from './platform/node.js';
import { configure } from './settings.js';
import { start } from './start.js';
import { traceWhenAsked } from './trace.js';

/** The globals Jest gives a setup file (declared here: reftrace does not depend on Jest's types). */
interface JestGlobals {
	readonly beforeEach: (fn: () => void) => void;
	readonly afterEach: (fn: () => void) => void;
	readonly expect: { getState(): { currentTestName?: string } };
}

/** jest-circus's state as its event handlers see it: the running test and what it threw so far. */
interface CircusState {
	readonly currentlyRunningTest?: { readonly errors: readonly unknown[] } | null;
}
type CircusHandler = (event: unknown, state: CircusState) => void;

// Not `jest`: Jest's CommonJS module wrapper declares that name, and this file is also built as CommonJS.
const globals = globalThis as unknown as JestGlobals & Record<symbol, CircusHandler[] | undefined>;
if (typeof globals.beforeEach !== 'function' || typeof globals.afterEach !== 'function') {
	throw new Error('reftrace/jest must be loaded by Jest: add it to `setupFilesAfterEnv` in the Jest configuration');
}

const check = testCheck();
let circus: CircusState | null = null;

/*
 * Jest tells hooks nothing about the test; jest-circus (Jest's runner) hands its state to the event
 * handlers in this global list, the one `jest-circus`'s own `addEventHandler` and custom environments
 * add to. Without it (another runner), every test is checked.
 */
globals[Symbol.for('EVENT_HANDLERS')]?.push((_event, state) => {
	circus = state;
});

/** Lets the current test end with live references (a cache under test that keeps some, say). */
export function allowLeaks(): void {
	check.allow();
}

start(nodeHost, traceWhenAsked);
// Test files run transformed (babel-jest, ts-jest) in a vm context; Jest maps their positions back with a
// stack hook in the main realm, reachable through a function Jest passes in from there.
useMainRealmStackHook(globalThis.setTimeout);
// Per-test checks replace the exit report, which would repeat every test's leftovers at exit.
configure({ exitReport: false });

globals.beforeEach(() => check.begin(`test "${globals.expect.getState().currentTestName ?? 'unnamed'}"`));

globals.afterEach(() => check.end((circus?.currentlyRunningTest?.errors.length ?? 0) > 0));
