import { reportText, withMessage, type RefTraceError, type Violation } from './errors.js';
import { host } from './platform/host.js';
import { noteViolation } from './record.js';
import { paintFor, type Paint } from './report/paint.js';
import { reportSignatures } from './report/signature.js';
import type { ViolationPolicy } from './settings.js';
import { suppressed } from './suppress.js';
import { countSignature, increment, violationCounts } from './tally.js';

/** Writes a report line (or lines) to the error stream, in colour where it supports colour. */
export function printReport(render: (paint: Paint) => string): void {
	host().writeError(`${render(paintFor(host().colorLevel))}\n`);
}

/** Writes a final report (at exit, or as a signal ends the process): whole, before this returns. */
export function printFinalReport(render: (paint: Paint) => string): void {
	host().writeFinal(`${render(paintFor(host().colorLevel))}\n`);
}

/** The stack suppression rules are matched against: the culprit's, or the one that took a leaked reference. */
function reportStack(violation: Violation): readonly string[] {
	return violation.kind === 'leak' ? (violation.taken?.stack ?? []) : violation.culprit.stack;
}

/**
 * Applies a policy to a violation: drops it when a suppression rule matches (counted as suppressed), else
 * counts it with its signature, tells the record's observers, then prints it to stderr and goes on,
 * throws it, or hands it to a callback.
 * `screened`: the caller has already checked the suppressions.
 * @throws the violation itself under the `throw` policy, or whatever the callback throws.
 */
export function dispatch(policy: ViolationPolicy, error: RefTraceError, screened = false): void {
	const violation = error as Violation;
	if (!screened && suppressed(violation.kind, reportStack(violation))) return;
	increment(violationCounts, violation.kind);
	for (const signature of reportSignatures(violation)) countSignature(violation.kind, signature);
	noteViolation(violation);
	if (policy === 'throw') throw withMessage(error);
	if (policy === 'report') printReport((paint) => reportText(violation, paint));
	else policy(withMessage(violation));
}
