import { withMessage, type LeakError } from './errors.js';
import { EntryLog } from './entry-log.js';
import { scopeLeak } from './explain.js';
import { notNonEmptyString } from './settings.js';

/** An open leak window: see `beginLeakWindow`. */
export interface LeakWindow {
	/**
	 * Closes the window. @returns a `LeakError` listing the references taken inside it that are still live,
	 * grouped by the site that took them (they then count as reported: the garbage collector finding one
	 * later does not report it again), or null when there are none.
	 * @throws Error when the window was already ended.
	 */
	end(): LeakError | null;
	/** Closes the window without checking it: what was taken inside stays unreported, and is reported if collected while live. */
	cancel(): void;
}

/**
 * Opens a leak window: every reference taken from now until `end()` — to objects tracked in `list` or
 * `full` mode — must be released or moved away by then. Attribution is by lineage: a reference moved out
 * of one taken before the window is not new, whenever the move happens. Unlike `checkLeaks`, a window
 * counts references taken by any code running meanwhile (it follows time, not an async context), which is
 * what a test runner's per-test check wants; windows may overlap. An open window keeps a note of each
 * reference taken and still live (not the references themselves), so end every window.
 * @param name what the report calls the window: `test "closes the pool"` (default `leak window`).
 * @throws TypeError when `name` is given and is not a non-empty string.
 * @example
 * const window = beginLeakWindow('job 12');
 * await runJob();
 * const leak = window.end();
 * if (leak !== null) console.error(leak.message);
 */
export function beginLeakWindow(name = 'leak window'): LeakWindow {
	if (typeof name !== 'string' || name === '') throw notNonEmptyString('name', name);
	// What the end checks: the references taken since, not every live one.
	const taken = new EntryLog('lineage');
	taken.start();
	let ended = false;
	return {
		end: function end(): LeakError | null {
			if (ended) throw new Error(`reftrace: ${name} was already ended`);
			ended = true;
			try {
				return scopeLeak(taken.listed(), name, end);
			} finally {
				taken.stop();
			}
		},
		cancel(): void {
			ended = true;
			taken.stop();
		},
	};
}

/** The check each test runner's helper makes: a leak window per test. */
export interface TestCheck {
	/** A test starts: opens its window (`name` as the report calls it) and forgets an earlier `allow`. */
	begin(name: string): void;
	/** Lets the current test end with live references. */
	allow(): void;
	/**
	 * The test ended: closes its window. A test allowed to leak, or one that failed already, is not checked:
	 * what it left is reported at collection.
	 * @throws LeakError naming the sites of the references the test left live.
	 */
	end(failed: boolean): void;
}

/** The per-test check of a runner helper (`reftrace/vitest`, `reftrace/jest`, `reftrace/node-test`). */
export function testCheck(): TestCheck {
	let window: LeakWindow | null = null;
	let allowed = false;
	return {
		begin(name) {
			allowed = false;
			window?.cancel();
			window = beginLeakWindow(name);
		},
		allow() {
			allowed = true;
		},
		end(failed) {
			const open = window;
			window = null;
			if (open === null) return;
			if (allowed || failed) return open.cancel();
			const error = open.end();
			if (error !== null) throw withMessage(error);
		},
	};
}
