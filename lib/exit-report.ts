import { printFinalReport, printReport } from './dispatch.js';
import { host, type ReportSink } from './platform/host.js';
import { observe } from './record.js';
import { escapeControls } from './report/escape.js';
import { describeThrown } from './report/format.js';
import { renderFoldedDump, renderFoldedExitReport } from './report/leak-report.js';
import { claimReportName, dumpName } from './report-name.js';
import { settings } from './settings.js';
import { gatherReport, liveReport, type LiveReport } from './report-stream.js';
import { violationCounts } from './tally.js';
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

/**
 * Reads the live references the exit report covers (all but the suppressed leaks, and what their nested
 * counts hold) once: writes the JSON report as they are read (when asked) and prints the text report (when
 * this run prints one). `at` names a moment before the end. @returns the totals of what was read.
 */
function emit(at: string | null): LiveReport['totals'] {
	const config = settings();
	const path = config.reportPath === null ? null : reportPath(config.reportPath);
	const write = path === null ? null : (chunks: Iterable<string>): void => host().writeFileAtomic(path, chunks);
	const { report, failure } = liveReport((entry) => !suppressedLeak(entry), write);
	if (config.exitReport && printAtExit) printFinalReport((paint) => renderFoldedExitReport(report.view, report.folded, paint, at));
	if (failure !== null) printFinalReport(() => `reftrace: could not write the JSON report: ${String(failure)}`);
	return report.totals;
}

/**
 * The final report, once: text to stderr, JSON to REFTRACE_REPORT, and the exit code if asked, which only
 * ever replaces a status of 0 (`code`: the status the process ends with; null when a signal ends it).
 */
function report(code: number | null): void {
	if (reported) return;
	reported = true;
	dumpSink?.abort();
	const { exitCode, exitReport, reportPath } = settings();
	const decidesCode = exitCode !== null && code === 0;
	// Nothing asked of the live references (no text, no file, no status to decide): not read at all, which
	// at millions of them would hold the exit for seconds (the runner helpers turn the text off).
	if (!(exitReport && printAtExit) && reportPath === null && !decidesCode) return;
	const totals = emit(null);
	const dirty = totals.refs > 0 || [...violationCounts.values()].some((n) => n > 0);
	if (decidesCode && dirty) host().setExitCode(exitCode);
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
		else if (!reported) emit(signal);
	});
}

let dumps = 0;
let dumpFile: { readonly template: string; readonly path: string } | null = null;

/** The next dump's file (REFTRACE_DUMP, numbered so that two of them can be diffed: `reftrace diff`), opened; null when none is asked for or it cannot be opened (said so). */
function openDump(): { readonly path: string; readonly number: number; readonly sink: ReportSink } | null {
	const template = settings().dumpPath;
	if (template === null) return null;
	if (dumpFile?.template !== template) dumpFile = { template, path: claimReportName(template) };
	const path = dumpName(dumpFile.path, ++dumps);
	try {
		return { path, number: dumps, sink: host().openReportFile(path) };
	} catch (error) {
		printReport(() => `reftrace: could not write the JSON dump: ${escapeControls(String(error))}`);
		return null;
	}
}

let dumping = false;
// The file of the dump being gathered, if any: a process that ends meanwhile must not leave its temporary.
let dumpSink: ReportSink | null = null;
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Prints every live reference, grouped (SIGUSR2: the kernel's debugfs file, for a running server), and
 * writes it as JSON when `dumpPath` asks. The references are read a slice at a time between turns of the
 * event loop, and written to the file as they are read, so that the program goes on serving while
 * millions are read; each object shows the references it had when the dump reached it. A request while
 * one dump is being gathered is that dump's.
 * @returns a promise settled once the dump is printed (or its failure reported).
 */
export async function dump(): Promise<void> {
	if (dumping) return;
	dumping = true;
	try {
		const file = openDump();
		dumpSink = file?.sink ?? null;
		const { report, failure } = await gatherReport(dumpSink, nextTurn);
		printReport((paint) => renderFoldedDump(report.view, report.folded, paint));
		if (file === null) return;
		if (failure === null) printReport(() => `reftrace: dump ${file.number} written to ${escapeControls(file.path)}`);
		else printReport(() => `reftrace: could not write the JSON dump: ${escapeControls(String(failure))}`);
	} catch (error) {
		printReport(() => `reftrace: could not dump the live references: ${escapeControls(describeThrown(error))}`);
	} finally {
		dumping = false;
		dumpSink = null;
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
