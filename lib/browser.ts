/**
 * reftrace in the browser (the `browser` export condition picks this entry): the same API as under Node,
 * with reports in the DevTools console, settings through `configure()` or `?reftrace=full` on the page's
 * URL, the exit report on `pagehide`, and `reftrace.dump()`, `reftrace.snapshot()`, `reftrace.report()`
 * callable from the console.
 * @example
 * import { instrument } from 'reftrace';
 * instrument(GPUBuffer, { release: 'destroy' });
 */
import { printReport } from './dispatch.js';
import { browserHost } from './platform/browser.js';
import { dropsTailCallFrames, TAIL_CALLS_WARNING } from './platform/browser-tail-calls.js';
import { renderDump, renderExitReport } from './report/leak-report.js';
import { configure, onConfigure, settings, type Settings } from './settings.js';
import { snapshot } from './snapshot.js';
import { start } from './start.js';
import { traceNotWritten } from './wording.js';

export { track, Ref, WeakHandle, type TrackOptions } from './ref.js';
export { configure, settings, type ConfigureOptions, type Settings, type ViolationPolicy, type SuppressionsOption } from './settings.js';
export {
	SNAPSHOT_SCHEMA,
	MERGE_SCHEMA,
	type CountKind,
	type EventOp,
	type MergedReport,
	type MergedSite,
	type Mode,
	type PriorEvent,
	type PriorRole,
	type RefEvent,
	type RefState,
	type SignatureCount,
	type SignatureData,
	type Snapshot,
	type SnapshotObject,
	type SnapshotRef,
	type SnapshotRevocation,
	type SnapshotSite,
	type SuppressionUse,
	type ViolationData,
	type ViolationKind,
} from './data.js';
export {
	RefTraceError,
	MisuseError,
	AfterMoveError,
	DoubleReleaseError,
	ReleaseAfterMoveError,
	UseAfterMoveError,
	UseAfterReleaseError,
	AcquireAfterReleaseError,
	MoveAfterReleaseError,
	DoubleMoveError,
	OnZeroFailedError,
	LeakError,
	AfterRevokeError,
	UseAfterRevokeError,
	AcquireAfterRevokeError,
	ExclusiveNotUniqueError,
	AcquireDuringExclusiveError,
	type Violation,
	type CountViolation,
} from './errors.js';
export type { SuppressionRule } from './report/suppression-rules.js';
export { checkLeaks } from './check-leaks-browser.js';
export { snapshot } from './snapshot.js';
export { renderSnapshot } from './report/leak-report.js';
export { beginLeakWindow, type LeakWindow } from './leak-window.js';
export { withOwner } from './owner-context.js';
export { instrument, isAdopted, type InstrumentOptions, type InstrumentShape } from './instrument.js';
export { markLongLived } from './long-lived.js';

// Device loss as a revoke of adopted objects (instrument's `revokedWhen`).
export type { RevokedWhen } from './revoke-adopted.js';
export { traceEmbind, type EmbindOptions } from './embind-adapter.js';

/** The console commands, as `globalThis.reftrace`: the browser's SIGUSR2 and exit report, on demand. */
export const consoleCommands = Object.freeze({
	/** Prints every live reference, grouped by the site that took it. */
	dump(): void {
		printReport((paint) => renderDump(snapshot(), paint, 'reftrace.dump()'));
	},
	/** Every live reference and violation count as data (the JSON report's schema), to expand or copy. */
	snapshot,
	/** Prints the report the page prints when it is hidden: live references, violations, a summary line. */
	report(): void {
		printReport((paint) => renderExitReport(snapshot(), paint, 'reftrace.report()'));
	},
	configure,
});

/*
 * A page has no files, so the tracer (`trace.ts`) is left out of its bundle: a trace asked for is said to
 * be impossible, as the tracer says of a path it cannot write.
 */
function traceRefused(config: Settings): void {
	if (config.trace === null) return;
	try {
		browserHost.openFile(config.trace);
	} catch (error) {
		browserHost.warn(traceNotWritten(config.trace, error), 'REFTRACE_TRACE');
	}
}

start(browserHost, () => {
	onConfigure(traceRefused);
	traceRefused(settings());
});
// Said once at load, as under Bun: JavaScriptCore's tail calls move sites to callers.
if (dropsTailCallFrames()) browserHost.warn(TAIL_CALLS_WARNING, 'REFTRACE_TAIL_CALLS');
// Another copy's commands (a second bundle on the page) are left as they are.
(globalThis as { reftrace?: unknown }).reftrace ??= consoleCommands;
