import { constants } from 'node:os';
import { runtime } from './runtime.js';

/*
 * The end of a Node process: the exit hook, the stop signals and the exit code, each arranged so that the
 * process ends exactly as it would have without reftrace.
 */

/**
 * Signals that end a process by default and that reftrace reports on with the preload. SIGHUP is one: a
 * closed terminal ends the program, and the JSON report is still worth having. Node resets every signal
 * to its default at startup (`nohup` and an ignoring shell do not carry over), so listening changes
 * nothing about which of them end the process.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The status the process is about to exit with: `process.exitCode` when set (13 for an unsettled top-level await), which the 'exit' event's argument may not show. */
function exitStatus(code: number): number {
	const set = Number(process.exitCode ?? code);
	return Number.isInteger(set) ? set : code;
}

/**
 * Calls `listener` once as the process exits, with the status it exits with. Deno emits no 'exit' event
 * when an uncaught exception or rejection ends the process; its global `error` and `unhandledrejection`
 * events fire just before, and the process then exits with status 1 unless a listener prevents that.
 * (reftrace's listener usually runs before the application's: one that prevents the exit later still gets
 * the report at that point, and not again at exit.)
 */
export function onExit(listener: (code: number) => void): void {
	let done = false;
	const once = (code: number): void => {
		if (done) return;
		done = true;
		listener(code);
	};
	process.on('exit', (code) => once(exitStatus(code)));
	if (runtime !== 'deno') return;
	for (const type of ['error', 'unhandledrejection']) {
		(globalThis as unknown as EventTarget).addEventListener(type, (event: Event) => {
			if (!event.defaultPrevented) once(1);
		});
	}
}

/**
 * Sets the exit code; an exit listener that crashes after this still ends the process with its own
 * status, as it would have without reftrace (Node otherwise keeps an exit code already set).
 */
export function setExitCode(code: number): void {
	const before = process.exitCode;
	process.exitCode = code;
	process.once('uncaughtExceptionMonitor', () => {
		if (process.exitCode === code) process.exitCode = before;
	});
}

/** Ends the process with `signal` now that nothing listens for it: its default action, as without reftrace. */
function raise(signal: NodeJS.Signals): void {
	try {
		process.kill(process.pid, signal);
	} catch {
		// A platform that cannot send it to itself: the status a shell reports for a death by that signal.
		process.exit(128 + constants.signals[signal]);
	}
}

const stopListeners: ((signal: string, last: boolean) => void)[] = [];

/**
 * Calls `listener(signal, last)` the first time each stop signal arrives, then gets out of the way.
 * reftrace's listener goes first and removes itself before any other listener runs, so libraries that act
 * only when they are the last listener (signal-exit, another copy of reftrace) act as they would have
 * without it. `last` says whether nothing else listens: then reftrace raises the signal again and the
 * process dies of it; otherwise the other listeners decide what happens.
 */
export function onStopSignal(listener: (signal: string, last: boolean) => void): void {
	stopListeners.push(listener);
	if (stopListeners.length > 1) return;
	for (const signal of STOP_SIGNALS) {
		const handler = (): void => {
			process.removeListener(signal, handler);
			const last = process.listenerCount(signal) === 0;
			// Every listener of reftrace's (the exit report, the trace) runs, whatever an earlier one did.
			for (const each of stopListeners) {
				try {
					each(signal, last);
				} catch {
					// The report failed (a stack overflow, say): the signal must still do what it would have done.
				}
			}
			if (last) raise(signal);
		};
		process.prependListener(signal, handler);
	}
}
