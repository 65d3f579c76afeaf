import { renameSync, writeFileSync } from 'node:fs';
import { settings } from './modes.js';
import { paintStderr } from './paint.js';
import { describeTotals, renderExitReport, renderLeakGroups, violationTotal } from './report/leaks.js';
import { snapshot, type Snapshot } from './snapshot.js';

let exitHookInstalled = false;
let reported = false;

/** Writes the JSON report atomically (a temporary file renamed over the target); `%p` becomes the pid. */
function writeJsonReport(pathTemplate: string, data: Snapshot): void {
	const path = pathTemplate.replaceAll('%p', String(process.pid));
	const temporary = `${path}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`);
	renameSync(temporary, path);
}

/** Builds and emits the exit report once: text to stderr, JSON to REFTRACE_REPORT, and the exit code if asked. */
function report(code: number): void {
	if (reported) return;
	reported = true;
	const config = settings();
	const data = snapshot();
	if (config.exitReport) process.stderr.write(`${renderExitReport(data, paintStderr)}\n`);
	if (config.reportPath !== null) {
		try {
			writeJsonReport(config.reportPath, data);
		} catch (error) {
			process.stderr.write(`reftrace: could not write the JSON report: ${String(error)}\n`);
		}
	}
	const dirty = data.totals.refs > 0 || violationTotal(data) > 0;
	if (config.exitCode !== null && dirty && code === 0) process.exitCode = config.exitCode;
}

/** Installs the exit report hook; called when the first object is tracked in list/full mode. Idempotent. */
export function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', (code) => report(code));
}

/**
 * Reports on SIGINT and SIGTERM, then lets the signal take its usual course (the process dies of it).
 * An application with its own handler for a signal keeps it: the exit hook reports when it exits.
 */
export function installSignalHandlers(): void {
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		const handler = (): void => {
			if (process.listenerCount(signal) > 1) return;
			report(0);
			process.removeListener(signal, handler);
			process.kill(process.pid, signal);
		};
		process.on(signal, handler);
	}
}

/** Prints every live reference on SIGUSR2 (the kernel's debugfs file, for a running server). */
export function installDumpSignal(): void {
	process.on('SIGUSR2', () => {
		const data = snapshot();
		const heading = `${paintStderr.bold('reftrace: live references (SIGUSR2):')} ${describeTotals(data)}`;
		process.stderr.write(`${renderLeakGroups(data, heading, paintStderr).join('\n')}\n`);
	});
}
