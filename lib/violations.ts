import type { RefEvent } from './events.js';
import type { LeakError } from './leaks.js';
import type { ViolationPolicy } from './modes.js';
import { paintStderr, plain, type Paint } from './paint.js';
import { renderViolation } from './report/text.js';
import { OWN_DIRECTORIES } from './stack.js';

/** Every kind of misuse reftrace reports. */
export type ViolationKind =
	| 'double-release'
	| 'release-after-move'
	| 'use-after-move'
	| 'use-after-release'
	| 'acquire-after-release'
	| 'move-after-release'
	| 'double-move'
	| 'on-zero-failed'
	| 'leak';

/** What an earlier event is to the culprit: the reference's beginning, its release, its move away, or other history. */
export type PriorRole = 'acquire' | 'release' | 'move' | 'history';

/** An earlier event that makes the culprit wrong; `title` is how the report introduces it (`first released by`). */
export interface PriorEvent {
	readonly role: PriorRole;
	readonly title: string;
	readonly event: RefEvent;
}

/** Everything a violation report says, as plain data. */
export interface ViolationData {
	readonly kind: ViolationKind;
	/** The object's label, `Conn#3`. */
	readonly object: string;
	/** One line: what happened to what. */
	readonly summary: string;
	/** The offending call. */
	readonly culprit: RefEvent;
	/** The earlier events, most relevant first. Empty when the object was tracked in `off` mode. */
	readonly earlier: readonly PriorEvent[];
	/** The object's count after the violation (a violation never changes it). */
	readonly count: number;
	/** Why earlier events lack history (`off` mode) or stacks (`list` mode, or a reference not sampled); null when they do not. */
	readonly note: string | null;
	/** More text printed after the events: the stack of what `onZero` threw. */
	readonly detail: string | null;
}

/**
 * Base class of every reftrace violation: `kind` tells which; subclasses carry the structured events.
 * The message is the report as printed, without colour.
 */
export abstract class RefTraceError extends Error {
	abstract readonly kind: ViolationKind;
	/** One line: what happened to what. */
	readonly summary: string;

	constructor(summary: string, message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = new.target.name;
		this.summary = summary;
		// Thrown from the offending call, the trace should start there, not inside reftrace.
		if (this.stack !== undefined) {
			this.stack = this.stack
				.split('\n')
				.filter((line) => !(line.startsWith('    at ') && OWN_DIRECTORIES.some((dir) => line.includes(dir))))
				.join('\n');
		}
	}

	/** The report, styled by `paint`. */
	abstract render(paint: Paint): string;
}

/** A misuse of one reference, caught at the offending call: the culprit and the earlier events that make it wrong. */
export abstract class MisuseError extends RefTraceError implements ViolationData {
	abstract override readonly kind: Exclude<ViolationKind, 'leak'>;
	readonly object: string;
	readonly culprit: RefEvent;
	readonly earlier: readonly PriorEvent[];
	readonly count: number;
	readonly note: string | null;
	readonly detail: string | null;

	constructor(data: Omit<ViolationData, 'kind'> & { kind: ViolationKind }, options?: ErrorOptions) {
		super(data.summary, renderViolation(data, plain), options);
		this.object = data.object;
		this.culprit = data.culprit;
		this.earlier = data.earlier;
		this.count = data.count;
		this.note = data.note;
		this.detail = data.detail;
	}

	render(paint: Paint): string {
		return renderViolation(this, paint);
	}

	/** The earlier event with the given role, or null when it was not recorded. */
	protected find(role: PriorRole): RefEvent | null {
		return this.earlier.find((prior) => prior.role === role)?.event ?? null;
	}
}

/** A reference released (or disposed) a second time. Names the first release and the acquire. */
export class DoubleReleaseError extends MisuseError {
	readonly kind = 'double-release';
	get firstRelease(): RefEvent | null {
		return this.find('release');
	}
	get acquire(): RefEvent | null {
		return this.find('acquire');
	}
}

/** A reference released after it was moved away. Names the move and the new owner. */
export class ReleaseAfterMoveError extends MisuseError {
	readonly kind = 'release-after-move';
	get move(): RefEvent | null {
		return this.find('move');
	}
	get newOwner(): string | null {
		return this.move?.owner ?? null;
	}
}

/** `.value` read through a moved reference. Names the move and the new owner. */
export class UseAfterMoveError extends MisuseError {
	readonly kind = 'use-after-move';
	get move(): RefEvent | null {
		return this.find('move');
	}
	get newOwner(): string | null {
		return this.move?.owner ?? null;
	}
}

/** `.value` read through a released reference. Names the release. */
export class UseAfterReleaseError extends MisuseError {
	readonly kind = 'use-after-release';
	get release(): RefEvent | null {
		return this.find('release');
	}
}

/** An acquire through a released or moved reference (refcount_t's "addition on 0"). Names the release or move. */
export class AcquireAfterReleaseError extends MisuseError {
	readonly kind = 'acquire-after-release';
	get end(): RefEvent | null {
		return this.find('release') ?? this.find('move');
	}
}

/** A move of a released reference. Names the release. */
export class MoveAfterReleaseError extends MisuseError {
	readonly kind = 'move-after-release';
	get release(): RefEvent | null {
		return this.find('release');
	}
}

/** A second move of the same reference. Names the first move and its new owner. */
export class DoubleMoveError extends MisuseError {
	readonly kind = 'double-move';
	get move(): RefEvent | null {
		return this.find('move');
	}
	get newOwner(): string | null {
		return this.move?.owner ?? null;
	}
}

/** `onZero` threw. The thrown value is the `cause`; the object's recent history is in `earlier`. */
export class OnZeroFailedError extends MisuseError {
	readonly kind = 'on-zero-failed';
}

/** The class of each misuse kind. */
export const ERRORS = {
	'double-release': DoubleReleaseError,
	'release-after-move': ReleaseAfterMoveError,
	'use-after-move': UseAfterMoveError,
	'use-after-release': UseAfterReleaseError,
	'acquire-after-release': AcquireAfterReleaseError,
	'move-after-release': MoveAfterReleaseError,
	'double-move': DoubleMoveError,
	'on-zero-failed': OnZeroFailedError,
} as const;

/** Every violation reftrace reports: `kind` tells which class it is. */
export type Violation =
	| DoubleReleaseError
	| ReleaseAfterMoveError
	| UseAfterMoveError
	| UseAfterReleaseError
	| AcquireAfterReleaseError
	| MoveAfterReleaseError
	| DoubleMoveError
	| OnZeroFailedError
	| LeakError;

/** Violations seen in this process, per kind (the exit report recaps them). */
export const violationCounts = new Map<ViolationKind, number>();

/** Counts a violation that is not dispatched (a leak past the printing limit). */
export function countViolation(kind: ViolationKind): void {
	violationCounts.set(kind, (violationCounts.get(kind) ?? 0) + 1);
}

/**
 * Applies a policy to a violation: print it to stderr and go on, throw it, or hand it to a callback.
 * @throws the violation itself under the `throw` policy, or whatever the callback throws.
 */
export function dispatch(policy: ViolationPolicy, error: RefTraceError): void {
	countViolation(error.kind);
	if (policy === 'throw') throw error;
	if (policy === 'report') process.stderr.write(`${error.render(paintStderr)}\n`);
	else policy(error as Violation);
}
