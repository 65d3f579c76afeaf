import type { Snapshot } from './data.js';
import { printFinalReport, printReport } from './dispatch.js';
import { host } from './platform/host.js';
import { observe } from './record.js';
import { escapeControls } from './report/escape.js';
import { describeThrown } from './report/format.js';
import { jsonChunks } from './report/json.js';
import { renderDump, renderExitReport, violationTotal } from './report/leak-report.js';
import { claimReportName, dumpName } from './report-name.js';
import { settings } from './settings.js';
import { collectSnapshot, gatherSnapshot, snapshot } from './snapshot.js';
import { suppressedLeak } from './suppress.js';

/*
 * The exit report: a consumer of the record. It reads every live reference when the process ends, and
 * on request while it runs; the host says when.
 */

let exitHookInstalled = false;
let printAtExit = false;
let reported = false;
let reportFile: { readonly template: string; readonly path: string } | null = null;

/** This copy's JSON report path: claimed once, so that no other writer in the process shares it. */
function reportPath(template: string): string {
	if (reportFile?.template !== template) reportFile = { template, path: claimReportName(template) };
	return reportFile.path;
}

/** Prints the text report (when this run prints one) and writes the JSON report (when asked). `at` names a moment before the end. */
function emit(data: Snapshot, at: string | null): void {
	const config = settings();
	if (config.exitReport && printAtExit) printFinalReport((paint) => renderExitReport(data, paint, at));
	if (config.reportPath === null) return;
	try {
		host().writeFileAtomic(reportPath(config.reportPath), jsonChunks(data));
	} catch (error) {
		printFinalReport(() => `reftrace: could not write the JSON report: ${String(error)}`);
	}
}

/** The live references the exit report covers: all but the suppressed leaks (and what their nested counts hold). */
function exitSnapshot(): Snapshot {
	return collectSnapshot((entry) => !suppressedLeak(entry));
}

/**
 * The final report, once: text to stderr, JSON to REFTRACE_REPORT, and the exit code if asked, which only
 * ever replaces a status of 0 (`code`: the status the process ends with; null when a signal ends it).
 */
function report(code: number | null): void {
	if (reported) return;
	reported = true;
	const data = exitSnapshot();
	emit(data, null);
	const exitCode = settings().exitCode;
	const dirty = data.totals.refs > 0 || violationTotal(data) > 0;
	if (exitCode !== null && dirty && code === 0) host().setExitCode(exitCode);
}

/**
 * Installs the exit report hook. Idempotent. `printed`: whether the text report is printed at exit, as it
 * is once anything was tracked in list/full mode or with the preload; violations alone (off mode) only
 * bring the JSON report and the exit code, their reports having been printed already.
 */
export function installExitHook(printed = true): void {
	printAtExit ||= printed;
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	host().onExit(report);
}

/**
 * Reports when the process is asked to stop (SIGINT, SIGTERM, SIGHUP) and lets the signal act as it would
 * have. When the application (or a library) listens too, it decides whether the process ends, possibly at
 * once: the report is made now, named after the signal, and made again at exit if the process gets there.
 */
export function installStopHandlers(): void {
	host().onStopSignal((signal, last) => {
		if (last) report(null);
		else if (!reported) emit(exitSnapshot(), signal);
	});
}

let dumps = 0;
let dumpFile: { readonly template: string; readonly path: string } | null = null;

/** Writes a dump as a JSON report to REFTRACE_DUMP, numbered, so that two of them can be diffed (`reftrace diff`). */
function writeDump(data: Snapshot, template: string): void {
	if (dumpFile?.template !== template) dumpFile = { template, path: claimReportName(template) };
	const path = dumpName(dumpFile.path, ++dumps);
	try {
		host().writeFileAtomic(path, jsonChunks(data));
		printReport(() => `reftrace: dump ${dumps} written to ${escapeControls(path)}`);
	} catch (error) {
		printReport(() => `reftrace: could not write the JSON dump: ${escapeControls(String(error))}`);
	}
}

let dumping = false;
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Prints every live reference, grouped (SIGUSR2: the kernel's debugfs file, for a running server), and
 * writes it as JSON when `dumpPath` asks. The references are gathered a slice at a time between turns of
 * the event loop, so that the program goes on serving while millions are read; a request while one dump is
 * being gathered is that dump's.
 * @returns a promise settled once the dump is printed (or its failure reported).
 */
export async function dump(): Promise<void> {
	if (dumping) return;
	dumping = true;
	try {
		const data = await gatherSnapshot(nextTurn);
		printReport((paint) => renderDump(data, paint));
		const template = settings().dumpPath;
		if (template !== null) writeDump(data, template);
	} catch (error) {
		printReport(() => `reftrace: could not dump the live references: ${escapeControls(describeThrown(error))}`);
	} finally {
		dumping = false;
	}
}

/** Prints every live reference on request (SIGUSR2), without stopping the program. */
export function installDumpSignal(): void {
	host().onDumpSignal(() => void dump());
}

let waiting = false;

/**
 * Installs the exit report hook when the first reference is recorded (an object tracked in list/full mode),
 * or at the first violation in any mode (for REFTRACE_EXIT_CODE and REFTRACE_REPORT). Idempotent.
 */
export function reportAtExit(): void {
	if (exitHookInstalled || waiting) return;
	waiting = true;
	const stop = observe({
		begin() {
			stop();
			installExitHook();
		},
		violation: () => installExitHook(false),
	});
}
