import { reportText, withMessage, type RefTraceError, type Violation } from './errors.js';
import { host } from './platform/host.js';
import { noteViolation } from './record.js';
import { paintFor, type Paint } from './report/paint.js';
import type { ViolationPolicy } from './settings.js';
import { increment, violationCounts } from './tally.js';

/** Writes a report line (or lines) to the error stream, in colour where it supports colour. */
export function printReport(render: (paint: Paint) => string): void {
	host().writeError(`${render(paintFor(host().colorLevel))}\n`);
}

/** Writes a final report (at exit, or as a signal ends the process): whole, before this returns. */
export function printFinalReport(render: (paint: Paint) => string): void {
	host().writeFinal(`${render(paintFor(host().colorLevel))}\n`);
}

/**
 * Applies a policy to a violation: counts it, tells the record's observers, then prints it to stderr and
 * goes on, throws it, or hands it to a callback.
 * @throws the violation itself under the `throw` policy, or whatever the callback throws.
 */
export function dispatch(policy: ViolationPolicy, error: RefTraceError): void {
	const violation = error as Violation;
	increment(violationCounts, violation.kind);
	noteViolation(violation);
	if (policy === 'throw') throw withMessage(error);
	if (policy === 'report') printReport((paint) => reportText(violation, paint));
	else policy(withMessage(violation));
}
