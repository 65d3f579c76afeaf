import type { SuppressionUse, ViolationKind } from './data.js';
import { beginEvent } from './events.js';
import { isLongLived } from './expected-refs.js';
import type { Entry } from './record.js';
import { matchRule, type SuppressionRule } from './report/suppression-rules.js';
import { settings } from './settings.js';
import { increment, suppressedCounts } from './tally.js';

/*
 * Suppressions in force (LeakSanitizer's convention): a report one of the rules matches is not printed
 * and not counted toward the exit code, but it is counted here, per kind and per rule, for the exit report.
 */

const uses = new Map<SuppressionRule, number>();
// References already counted as suppressed (at collection, or by an earlier exit report at a signal).
const counted = new WeakSet<Entry>();

function count(rule: SuppressionRule, kind: ViolationKind): void {
	increment(uses, rule);
	increment(suppressedCounts, kind);
}

/**
 * Whether a report of `kind` whose stack is `stack` (printed frames, innermost first) is suppressed; when
 * it is, counts it against its rule and as a suppressed report of its kind.
 */
export function suppressed(kind: ViolationKind, stack: readonly string[]): boolean {
	const { suppressions } = settings();
	if (suppressions.length === 0) return false;
	const rule = matchRule(suppressions, kind, stack);
	if (rule !== null) count(rule, kind);
	return rule !== null;
}

/** Whether a leaked reference (collected, or still live at exit) is suppressed; each one is counted once. */
export function suppressedEntry(entry: Entry): boolean {
	const { suppressions } = settings();
	if (suppressions.length === 0) return false;
	const rule = matchRule(suppressions, 'leak', beginEvent(entry).stack);
	if (rule !== null && !counted.has(entry)) {
		counted.add(entry);
		count(rule, 'leak');
	}
	return rule !== null;
}

/**
 * Whether a reference live at exit is a suppressed leak: never when it is long-lived (it is no leak); when a
 * rule matches it (counted, as `suppressedEntry`); or when the nested count holding it is left live only by
 * suppressed leaks (and long-lived references), so that suppressing a leak suppresses what its count holds.
 */
export function suppressedLeak(entry: Entry): boolean {
	if (settings().suppressions.length === 0 || isLongLived(entry)) return false;
	if (suppressedEntry(entry)) return true;
	const holder = entry.heldBy;
	if (holder === null) return false;
	const leaked = holder.live().filter((e) => !isLongLived(e));
	return leaked.length > 0 && leaked.every(suppressedLeak);
}

/** The rules in force and how many reports each suppressed. */
export function suppressionUses(): SuppressionUse[] {
	return settings().suppressions.map((rule) => ({ rule: rule.text, origin: rule.origin, used: uses.get(rule) ?? 0 }));
}
