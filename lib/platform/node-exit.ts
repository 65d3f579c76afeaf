/*
 * The end of a Node process: the exit hook and the exit code, arranged so that the process ends exactly
 * as it would have without reftrace.
 */

/** The status the process is about to exit with: `process.exitCode` when set (13 for an unsettled top-level await), which the 'exit' event's argument may not show. */
function exitStatus(code: number): number {
	const set = Number(process.exitCode ?? code);
	return Number.isInteger(set) ? set : code;
}

/** Calls `listener` once as the process exits, with the status it exits with. */
export function onExit(listener: (code: number) => void): void {
	process.on('exit', (code) => listener(exitStatus(code)));
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
