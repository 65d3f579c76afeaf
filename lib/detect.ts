import { beginEvent, endEvent, makeEvent, type EventOp, type RefEvent } from './events.js';
import { captureStack } from './stack.js';
import { clock, type Entry, type Tracked } from './tracked.js';
import { ERRORS, type PriorEvent, type RefTraceError, type ViolationKind } from './violations.js';

/** The offending call: what it did, through which reference, and what reftrace knows of that reference. */
export interface Culprit {
	readonly op: EventOp;
	readonly ref: number;
	/** The reference's owner, as `Ref.owner` reads it. */
	readonly owner: string;
	/** The reference's history; null when the object is tracked in `off` mode. */
	readonly entry: Entry | null;
	readonly record: Tracked;
}

type MisuseKind = Exclude<ViolationKind, 'on-zero-failed' | 'leak'>;

const BEGIN_TITLE = { track: 'tracked by', acquire: 'acquired by', move: 'moved to' } as const;

/** The offending call as an event, its stack captured now (in every mode: violations are rare). */
function culpritEvent(culprit: Culprit, above: Function): RefEvent {
	return makeEvent(culprit.op, culprit.ref, culprit.owner, captureStack(culprit.record.stackDepth, above), clock());
}

/** The release or move that ended the reference, then the event that began it. */
function priors(kind: MisuseKind, entry: Entry): PriorEvent[] {
	const result: PriorEvent[] = [];
	const successor = entry.end?.successor ?? null;
	if (successor !== null) {
		result.push({ role: 'move', title: 'moved to', event: beginEvent(successor) });
	} else {
		const ended = endEvent(entry);
		const title = kind === 'double-release' ? 'first released by' : 'released by';
		if (ended !== null) result.push({ role: 'release', title, event: ended });
	}
	result.push({ role: 'acquire', title: BEGIN_TITLE[entry.origin], event: beginEvent(entry) });
	return result;
}

function summary(kind: MisuseKind, subject: string, moved: RefEvent | null | undefined): string {
	const away = moved === undefined ? 'released' : moved === null ? 'moved' : `moved to ${moved.owner}`;
	switch (kind) {
		case 'double-release':
			return `${subject} was released twice`;
		case 'double-move':
			return `${subject} was moved twice`;
		case 'use-after-move':
		case 'use-after-release':
			return `.value of ${subject} was read after the ref was ${away}`;
		case 'acquire-after-release':
			return `acquire through ${subject} after the ref was ${away}`;
		case 'move-after-release':
		case 'release-after-move':
			return `${kind === 'move-after-release' ? 'move' : 'release'} of ${subject} after the ref was ${away}`;
	}
}

/** Why earlier events lack something, said once in the report: no history (off), no stacks (list, or not sampled). */
function historyNote(record: Tracked, entry: Entry | null): string | null {
	if (!record.recorded) return `${record.label} is tracked in off mode: no history recorded (REFTRACE=list or full keeps it)`;
	if (!record.stacks) return `no stack: ${record.label} is tracked in list mode (REFTRACE=full records stacks)`;
	if (entry !== null && entry.stack === null) return `no stack: this reference was not sampled (sample ${record.sample})`;
	return null;
}

/** Builds the typed error for a misuse of a dead reference, capturing the culprit's stack now. */
export function misuse(kind: MisuseKind, culprit: Culprit, wasMoved: boolean, above: Function): RefTraceError {
	const { record, entry } = culprit;
	const event = culpritEvent(culprit, above);
	const earlier = entry === null ? [] : priors(kind, entry);
	const moved = wasMoved ? (earlier.find((p) => p.role === 'move')?.event ?? null) : undefined;
	const subject = `ref #${culprit.ref} of ${record.label}`;
	return new ERRORS[kind]({
		kind,
		object: record.label,
		summary: summary(kind, subject, moved),
		culprit: event,
		earlier,
		count: record.count,
		note: historyNote(record, entry),
		detail: null,
	});
}

/** Builds the error for an `onZero` callback that threw, with the object's recent history. */
export function onZeroFailed(culprit: Culprit, cause: unknown, above: Function): RefTraceError {
	const { record } = culprit;
	const event = culpritEvent(culprit, above);
	const earlier: PriorEvent[] = [];
	for (const entry of record.ended()) {
		if (entry === culprit.entry) continue;
		const ended = endEvent(entry);
		if (ended !== null) earlier.push({ role: 'history', title: ended.op === 'move' ? 'moved away by' : 'released by', event: ended });
	}
	const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
	return new ERRORS['on-zero-failed'](
		{
			kind: 'on-zero-failed',
			object: record.label,
			summary: `onZero of ${record.label} threw ${reason}`,
			culprit: event,
			earlier,
			count: record.count,
			note: historyNote(record, null),
			detail: cause instanceof Error && cause.stack !== undefined ? cause.stack : null,
		},
		{ cause },
	);
}
