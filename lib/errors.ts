import type { LeakData, PriorEvent, PriorRole, RefEvent, Snapshot, ViolationData, ViolationKind } from './data.js';
import { plain, type Paint } from './report/paint.js';
import { renderViolation } from './report/violation.js';

/** Makes `message` an own property of `error`, as on any Error, so that it reads, writes and clones as usual. */
function settle(error: Error, message: string): string {
	Object.defineProperty(error, 'message', { value: message, writable: true, configurable: true, enumerable: false });
	return message;
}

/**
 * Base class of every reftrace violation: `kind` tells which; subclasses carry the structured events.
 * The message is the report as printed, without colour; it is rendered when first read.
 */
export abstract class RefTraceError extends Error {
	abstract readonly kind: ViolationKind;
	/** One line: what happened to what. */
	readonly summary: string;

	constructor(summary: string, options?: ErrorOptions) {
		// No message here: it is a getter, so a report that is printed and never thrown renders once.
		super(undefined, options);
		this.name = new.target.name;
		this.summary = summary;
	}

	/** The report, without colour. */
	override get message(): string {
		// Every concrete subclass is its own report data: a MisuseError or a LeakError.
		return settle(this, renderViolation(this as unknown as ViolationData | LeakData, plain));
	}

	override set message(value: string) {
		settle(this, value);
	}
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

	constructor(data: Omit<ViolationData, 'kind'>, options?: ErrorOptions) {
		super(data.summary, options);
		this.object = data.object;
		this.culprit = data.culprit;
		this.earlier = data.earlier;
		this.count = data.count;
		this.note = data.note;
		this.detail = data.detail;
	}

	/** The earlier event with the given role, or null when it was not recorded. */
	protected find(role: PriorRole): RefEvent | null {
		return this.earlier.find((prior) => prior.role === role)?.event ?? null;
	}
}

/** A misuse of a reference that was moved away: names the move and the new owner. */
export abstract class AfterMoveError extends MisuseError {
	get move(): RefEvent | null {
		return this.find('move');
	}
	get newOwner(): string | null {
		return this.move?.owner ?? null;
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
export class ReleaseAfterMoveError extends AfterMoveError {
	readonly kind = 'release-after-move';
}

/** `.value` read through a moved reference. Names the move and the new owner. */
export class UseAfterMoveError extends AfterMoveError {
	readonly kind = 'use-after-move';
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
export class DoubleMoveError extends AfterMoveError {
	readonly kind = 'double-move';
}

/** `onZero` threw. The thrown value is the `cause`; the object's recent history is in `earlier`. */
export class OnZeroFailedError extends MisuseError {
	readonly kind = 'on-zero-failed';
}

/** The class of each kind reported at the offending call. */
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

/**
 * References still live where they should not be: dropped without a release (found by the garbage
 * collector: `collected`), or left at the end of a checked scope or test (`scope`).
 */
export class LeakError extends RefTraceError implements LeakData {
	readonly kind = 'leak';
	/** `collected`: one reference the garbage collector found dropped; `scope`: the references left by a checked scope. */
	readonly found: 'collected' | 'scope';
	/** The leaked references, grouped by the site that took them (not enumerable: test runners print errors' own fields). */
	declare readonly leaks: Snapshot;
	/** For `collected`: the event that took the reference; null for `scope` (not enumerable, as `leaks`). */
	declare readonly taken: RefEvent | null;
	/** For `collected`: why `taken` has no stack, when it has none (not enumerable, as `leaks`). */
	declare readonly note: string | null;

	constructor(data: Omit<LeakData, 'kind'>) {
		super(data.summary);
		this.found = data.found;
		Object.defineProperty(this, 'leaks', { value: data.leaks, enumerable: false });
		Object.defineProperty(this, 'taken', { value: data.taken, enumerable: false });
		Object.defineProperty(this, 'note', { value: data.note ?? null, enumerable: false });
	}
}

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
	| LeakError
	| CountViolation;

/**
 * Gives `error` its message as an own property now, as any error has by the time the application sees
 * it (thrown, or passed to a callback): structured clones and serializers that read only own properties
 * then carry it. Under the `report` policy nobody but stderr sees the error, so it is not rendered twice.
 */
export function withMessage<E extends RefTraceError>(error: E): E {
	void error.message;
	return error;
}

/** A violation's report in `paint`; in plain text it is the message itself, so it is rendered once. */
export function reportText(error: Violation, paint: Paint): string {
	return paint === plain ? error.message : renderViolation(error, paint);
}

/** A misuse through a reference whose object was revoked: carries the revoke's `reason` and names the revoke. */
export abstract class AfterRevokeError extends MisuseError {
	/** Why the object was revoked, as given to `revoke(reason)`; null when none was given. */
	readonly reason: string | null;

	constructor(data: Omit<ViolationData, 'kind'>, reason: string | null) {
		super(data);
		this.reason = reason;
	}

	/** The revoke (null in `off` mode, which records no history). */
	get revoke(): RefEvent | null {
		return this.find('revoke');
	}
}

/** `.value` (or `exclusive`, or a second `revoke`) through a revoked reference. Names the revoke and the acquire of the reference used. */
export class UseAfterRevokeError extends AfterRevokeError {
	readonly kind = 'use-after-revoke';
	get acquire(): RefEvent | null {
		return this.find('acquire');
	}
}

/** An acquire or move through a revoked reference. Names the revoke. */
export class AcquireAfterRevokeError extends AfterRevokeError {
	readonly kind = 'acquire-after-revoke';
}

/** `exclusive(fn)` entered while other references were live. Names them (`others`). */
export class ExclusiveNotUniqueError extends MisuseError {
	readonly kind = 'exclusive-not-unique';
	/** The other live references, as the events that took them (empty in `off` mode). */
	get others(): RefEvent[] {
		return this.earlier.filter((prior) => prior.role === 'other').map((prior) => prior.event);
	}
}

/** An acquire (or `tryAcquire`) of an object while an exclusive section on it runs. Names the section. */
export class AcquireDuringExclusiveError extends MisuseError {
	readonly kind = 'acquire-during-exclusive';
	/** Whether the intruding call ran in another async task than the section's (false: inside it). */
	readonly fromOtherTask: boolean;

	constructor(data: Omit<ViolationData, 'kind'>, fromOtherTask: boolean) {
		super(data);
		this.fromOtherTask = fromOtherTask;
	}

	/** The section's entry: its owner, and its site in `full` mode. */
	get section(): RefEvent | null {
		return this.find('section');
	}
}

/** Every violation of the count semantics (revocation, exclusive sections). */
export type CountViolation = UseAfterRevokeError | AcquireAfterRevokeError | ExclusiveNotUniqueError | AcquireDuringExclusiveError;
