import { takeProcessId } from './clock.js';
import type { EventOp, MisuseKind, RefState } from './data.js';
import { dispatch } from './dispatch.js';
import { ownerOf } from './events.js';
import { misuse, onZeroFailed, type Culprit } from './explain.js';
import { afterRevoke, intrusion, notUnique } from './explain-counts.js';
import { insideSection, newSection, revokeRecord, runExclusive } from './gate.js';
import { BY_ACQUIRE, BY_MOVE, BY_TRACK, BY_TRY_ACQUIRE, ObjectRecord, type Entry, type Held, type Section } from './record.js';
import { expectObject, notNonEmptyString, settings } from './settings.js';
import { NO_OWNER } from './wording.js';

/** Options for `track`. */
export interface TrackOptions<T extends object> {
	/** Label in reports (default: the constructor's name). Each object also gets an id: `Conn#3`. */
	readonly name?: string | undefined;
	/** Owner of the first reference (default: the calling function in `full` mode). */
	readonly owner?: string | undefined;
	/** Runs exactly once, when the count reaches zero. */
	readonly onZero?: ((value: T) => void) | undefined;
	/**
	 * A live reference of another count that this new count holds (nested counts: all `mm_users` hold one
	 * `mm_count` reference). It is moved to an owner named after the new count (`mm_users#1`); when the new
	 * count reaches zero, its `onZero` runs and then the held reference is released.
	 */
	readonly holds?: Ref<object> | undefined;
}

const CREATE = Symbol('reftrace.create');
// Lets `track`, outside the class, give a new token its entry.
let setEntry: (ref: Ref<object>, entry: Entry) => void;

type OnZero = (value: object) => void;
/** A public method that releases: the op it reports as, and the function whose frame cuts stacks. */
interface Releaser {
	readonly op: EventOp;
	readonly above: Function;
}
/*
 * Module functions rather than private methods, set in Ref's static block: called with few arguments, they
 * keep the frame of `release` (which stays on the stack while onZero runs) as small as a plain one.
 */
let RELEASE: Releaser;
let DISPOSE: Releaser;
/*
 * Everything a release does but call onZero, one per releasing method (an argument less is a slot less in
 * the frame of release). @returns true when the count reached zero and an onZero is to run; it is left in
 * `zeroCall`, so that no local holds it there either.
 */
let releasing: (ref: Ref<object>) => boolean;
let disposing: (ref: Ref<object>) => boolean;
let zeroCall: OnZero | undefined;
// For adapters (instrument, embind): the operations with stacks cut at the adapter's own public function.
let releaseBelow: (ref: Ref<object>, op: EventOp, above: Function) => void;
let acquireBelow: <T extends object>(ref: Ref<T>, owner: string | undefined, above: Function) => Ref<T>;
let misuseBelow: (ref: Ref<object>, op: EventOp, above: Function, summary: string | null) => void;
let entryOfRef: (ref: Ref<object>) => Entry | null;
let moveBelow: <T extends object>(ref: Ref<T>, owner: string | undefined, above: Function) => Ref<T>;
let revokeBelow: (ref: Ref<object>, reason: string | null, above: Function | null) => ObjectRecord | null;
// The rarer calls that need a Ref's private fields from outside the class: tryAcquire, and track's `holds`.
let acquireThrough: <T extends object>(record: ObjectRecord, value: T, owner: string | undefined, above: Function) => Ref<T>;
let heldOf: (ref: Ref<object>) => Held;
// Runs the onZero of a release made outside any onZero, catching what it throws; one per releasing method.
let releaseOutermost: (ref: Ref<object>) => void;
let disposeOutermost: (ref: Ref<object>) => void;
/*
 * Whether an onZero is running. Only the outermost onZero call is guarded by a try/catch: a release made
 * inside an onZero calls its own onZero with no handler of its own, so that a chain of onZero callbacks
 * releasing one another costs the stack what plain refcounting code costs (a try/catch takes several more
 * slots per frame). What such an onZero throws goes up through the onZero callbacks that called it, as it
 * would without reftrace, and is reported at the outermost release, whose onZero it came out of.
 */
let inOnZero = false;

/** The outermost onZero returned or threw: nothing of its chain is held any longer. */
function zeroCallsOver(): void {
	inOnZero = false;
	zeroCall = undefined;
}

/*
 * Objects with a live record. An object is nearly always tracked under one name, so its record is stored
 * directly; only an object tracked under several names at once gets a Map of them.
 */
const records = new WeakMap<object, ObjectRecord | Map<string, ObjectRecord>>();

function recordNamed(value: object, name: string): ObjectRecord | undefined {
	const slot = records.get(value);
	return slot instanceof Map ? slot.get(name) : slot?.name === name ? slot : undefined;
}

function addRecord(value: object, record: ObjectRecord): void {
	const slot = records.get(value);
	if (slot === undefined) records.set(value, record);
	else if (slot instanceof Map) slot.set(record.name, record);
	else records.set(value, new Map([[slot.name, slot], [record.name, record]]));
}

function recordsOf(value: object): Iterable<ObjectRecord> {
	const slot = records.get(value);
	return slot === undefined ? [] : slot instanceof Map ? slot.values() : [slot];
}

function removeRecord(value: object, record: ObjectRecord): void {
	const slot = records.get(value);
	if (slot === record) records.delete(value);
	else if (slot instanceof Map) slot.delete(record.name);
}

/*
 * onZero callbacks, per object. Not on the record: a leaked object's record stays (for the exit report)
 * after its last Ref is collected, and a callback that captures the object would keep it for the life of
 * the process. Keyed by the object, a callback lives only as long as the object is reachable from
 * elsewhere, that is from a Ref that could still release it. As with `records`, an object's only
 * callback is stored directly; several names with callbacks share a Map.
 */
const zeroHandlers = new WeakMap<object, OnZero | Map<ObjectRecord, OnZero>>();

function addOnZero(value: object, record: ObjectRecord, onZero: OnZero): void {
	const slot = zeroHandlers.get(value);
	if (slot === undefined) zeroHandlers.set(value, onZero);
	else if (slot instanceof Map) slot.set(record, onZero);
	else {
		const owner = [...recordsOf(value)].find((other) => other !== record && other.hasOnZero);
		zeroHandlers.set(value, new Map(owner === undefined ? [[record, onZero]] : [[owner, slot], [record, onZero]]));
	}
}

/** Takes the onZero callback of `record` away from `value`, so that it runs at most once. */
function takeOnZero(value: object, record: ObjectRecord): OnZero | undefined {
	const slot = zeroHandlers.get(value);
	if (typeof slot === 'function') {
		zeroHandlers.delete(value);
		return slot;
	}
	const onZero = slot?.get(record);
	slot?.delete(record);
	return onZero;
}

/*
 * Ids of the references nothing records (off mode, and the void refs a reported misuse goes on with), given
 * when first asked for: a recorded reference's id is its entry's, and a token without one carries no id
 * slot, as it would not carry one for a count (memory is per live reference).
 */
const unrecordedIds = new WeakMap<object, number>();

function unrecordedId(ref: object): number {
	let id = unrecordedIds.get(ref);
	if (id === undefined) unrecordedIds.set(ref, (id = takeProcessId()));
	return id;
}

function checkOwner(owner: unknown): void {
	if (owner !== undefined && (typeof owner !== 'string' || owner === '')) {
		throw notNonEmptyString('owner', owner);
	}
}

/**
 * One counted reference to a tracked object: a token that is released or moved exactly once.
 * Copying the variable does not create a reference; `acquire` does.
 */
export class Ref<T extends object> {
	readonly #record: ObjectRecord;
	readonly #value: T;
	// The entry in list/full mode; in off mode the owner given, if any. One slot: memory is per live ref.
	// A recorded reference's entry is set right after the token exists (its observers watch the token).
	#link: Entry | string | undefined;
	// 'void': a ref born from a misuse under the report policy. Its misuse was reported, so its later
	// calls stay quiet; it reads as 'released'.
	#state: RefState | 'void' = 'live';

	/** @internal Refs are made by `track`, `acquire` and `move`. */
	constructor(create: typeof CREATE, record: ObjectRecord, value: T, owner: string | undefined) {
		if (create !== CREATE) throw new TypeError('Ref cannot be constructed directly; use track(value)');
		this.#record = record;
		this.#value = value;
		this.#link = owner;
	}

	/** The object. Reading it through a released or moved reference is a violation (the value is still returned). */
	get value(): T {
		if (this.#state !== 'live') Ref.#dead(this, 'use', Ref.#useKind(this), ABOVE.value);
		else if (this.#record.gate?.revoked) Ref.#refused(this, 'use', ABOVE.value);
		return this.#value;
	}

	/** `live`, `released`, `moved`, or `revoked` (live, but its object was revoked); reading it is never a violation. */
	get state(): RefState {
		if (this.#state === 'live') return this.#record.gate?.revoked ? 'revoked' : 'live';
		return this.#state === 'void' ? 'released' : this.#state;
	}

	/** True when this reference is live (not revoked) and the object's count is exactly 1: it is the only one. */
	get unique(): boolean {
		return this.#state === 'live' && this.#record.count === 1 && !this.#record.gate?.revoked;
	}

	/** Who holds this reference: the name given, else (in `full` mode) the function that took it. */
	get owner(): string {
		const link = this.#link;
		if (typeof link === 'object') return ownerOf(link);
		return link ?? NO_OWNER;
	}

	/** The object's current count. */
	get count(): number {
		return this.#record.count;
	}

	/** This reference's id, as shown in reports (`ref #12`): unique in the process. */
	get id(): number {
		const link = this.#link;
		return typeof link === 'object' ? link.id : unrecordedId(this);
	}

	/** The tracked object's label, as shown in reports (`Conn#3`). */
	get label(): string {
		return this.#record.label;
	}

	/**
	 * Takes a new reference to the same object (count + 1).
	 * @param owner who will hold the new reference.
	 * @throws AcquireAfterReleaseError under the `throw` policy when this reference is no longer live.
	 */
	acquire(owner?: string): Ref<T> {
		checkOwner(owner);
		// (Never `return <a call that captures a stack>` in a public function: see NOT_TAIL below.)
		if (this.#state !== 'live') {
			Ref.#dead(this, 'acquire', 'acquire-after-release', ABOVE.acquire);
			return Ref.#void(this, owner);
		}
		const record = this.#record;
		// The token and its entry first, the count last, with no call after it: a stack overflow on the way
		// leaves the count as it was. Begun here, not in the constructor: each frame between the capture and
		// the application's call costs V8 a frame walk.
		const ref = new Ref(CREATE, record, this.#value, owner);
		// `watched` is false only in off mode with no gate: one check there, as `recorded` was.
		if (record.watched) {
			if (record.gate !== null) {
				const refused = Ref.#refused(this, 'acquire', ABOVE.acquire, owner);
				if (refused !== null) return refused;
			}
			if (record.recorded) ref.#link = record.begin(BY_ACQUIRE, owner, null, ABOVE.acquire, ref);
		}
		record.count++;
		return ref;
	}

	/**
	 * Gives this reference up (count − 1); at zero the object's `onZero` runs.
	 * @throws DoubleReleaseError or ReleaseAfterMoveError under the `throw` policy.
	 */
	release(): void {
		// A release made by an onZero calls its own onZero from this very frame, with no handler and no local
		// (everything else happens in calls that have returned by then): a chain of onZero callbacks releasing
		// one another costs the stack what plain refcounting code costs, two slots per frame of release.
		if (!releasing(this)) return;
		if (!inOnZero) {
			releaseOutermost(this);
			return;
		}
		zeroCall!(this.#value);
	}

	/**
	 * Hands this reference to a new owner without touching the count; this one becomes `moved`.
	 * @throws MoveAfterReleaseError or DoubleMoveError under the `throw` policy.
	 */
	move(owner?: string): Ref<T> {
		checkOwner(owner);
		if (this.#state !== 'live') {
			Ref.#dead(this, 'move', this.#state === 'moved' ? 'double-move' : 'move-after-release', ABOVE.move);
			return Ref.#void(this, owner);
		}
		const record = this.#record;
		const entry = this.#link;
		// The new token and its entry before this one becomes moved: a stack overflow on the way must leave
		// this ref live and the count held, as if the move had not been called.
		const ref = new Ref(CREATE, record, this.#value, owner);
		// Off mode with no gate: one check, where `typeof entry` was; a live ref has an entry in list/full.
		if (!record.watched) {
			this.#state = 'moved';
			return ref;
		}
		if (record.gate?.revoked) {
			const refused = Ref.#refused(this, 'move', ABOVE.move, owner);
			if (refused !== null) return refused;
		}
		if (typeof entry !== 'object') {
			this.#state = 'moved';
			return ref;
		}
		Ref.#movedTo(this, ref, entry, owner, ABOVE.move);
		return ref;
	}

	/** The rest of a recorded move, its stacks cut at `above` (`move` itself, or an adapter's function). */
	static #movedTo<T extends object>(from: Ref<T>, ref: Ref<T>, entry: Entry, owner: string | undefined, above: Function): Ref<T> {
		const record = from.#record;
		const next = record.begin(BY_MOVE, owner, entry, above, ref);
		try {
			record.end(entry, 'moved', next.stack, above, next);
		} finally {
			// The old entry ended (even if an observer threw after): the move stands. Cut short before: as if
			// never called.
			if (entry.end === null) record.unlink(next);
			else {
				ref.#link = next;
				from.#state = 'moved';
			}
		}
		return ref;
	}

	/**
	 * A handle that does not count and does not keep the object alive (a cache's or a registry's pointer):
	 * `handle.tryAcquire()` takes a reference only while the count is above zero. Through a released or
	 * moved reference it is a violation (the handle is still returned).
	 */
	weak(): WeakHandle<T> {
		if (this.#state !== 'live') Ref.#dead(this, 'weak', Ref.#useKind(this), ABOVE.weak);
		return new WeakHandle(CREATE, this.#record, this.#value, this.id, this.owner);
	}

	/**
	 * Runs `fn(value)` (sync or async) as an exclusive section: this must be the only reference (else
	 * `exclusive-not-unique`, naming the others), and until `fn` returns or its promise settles, any acquire
	 * or `tryAcquire` of the object, from any async task, is `acquire-during-exclusive`. Moves are fine.
	 * @returns what `fn` returns (a promise is followed to its end).
	 * @throws TypeError when `fn` is not a function; the violation under the `throw` policy (then `fn` does not run).
	 */
	exclusive<R>(fn: (value: T) => R): R {
		if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${typeof fn}`);
		const record = this.#record;
		const value = this.#value;
		if (this.#state !== 'live') Ref.#dead(this, 'exclusive', Ref.#useKind(this), ABOVE.exclusive);
		else if (record.gate?.revoked) Ref.#refused(this, 'exclusive', ABOVE.exclusive);
		else if (record.count !== 1) dispatch(record.settings.onViolation, notUnique(Ref.#culprit(this, 'exclusive'), ABOVE.exclusive));
		else return runExclusive(record, newSection(record, this.id, this.owner, ABOVE.exclusive), () => fn(value));
		return fn(value);
	}

	/**
	 * Revokes the object (the device behind it is gone): every live reference of it reads as `revoked`, a
	 * `.value` through one is `use-after-revoke`, an acquire or move `acquire-after-revoke`, and
	 * `tryAcquire` returns null. The count is untouched: holders still release their references.
	 * @throws TypeError when `reason` is given and is not a non-empty string.
	 */
	revoke(reason?: string): void {
		if (reason !== undefined && (typeof reason !== 'string' || reason === '')) {
			throw notNonEmptyString('reason', reason);
		}
		const record = this.#record;
		if (this.#state !== 'live') Ref.#dead(this, 'revoke', Ref.#useKind(this), ABOVE.revoke);
		else if (record.gate?.revoked) Ref.#refused(this, 'revoke', ABOVE.revoke);
		else revokeRecord(record, this.id, this.owner, reason ?? null, ABOVE.revoke);
	}

	/** How `console.log` and `util.inspect` show a ref: `Ref<Conn#3> #12 live, owner session` (never a use of `.value`). */
	[Symbol.for('nodejs.util.inspect.custom')](): string {
		return `Ref<${this.label}> #${this.id} ${this.state}, owner ${this.owner}`;
	}

	/** Releases a live reference; does nothing on a moved one; on a released one it is a double release. */
	[Symbol.dispose](): void {
		if (this.#state === 'moved') return;
		if (!disposing(this)) return;
		if (!inOnZero) {
			disposeOutermost(this);
			return;
		}
		zeroCall!(this.#value);
	}

	static #culprit(ref: Ref<object>, op: EventOp): Culprit {
		const link = ref.#link;
		return { op, ref: ref.id, owner: ref.owner, entry: typeof link === 'object' ? link : null, record: ref.#record };
	}

	static {
		setEntry = (ref, entry) => {
			ref.#link = entry;
		};
		// A new reference of `record` taken outside `acquire` (its hot path keeps its own copy of these lines).
		const acquireAs = <T extends object>(record: ObjectRecord, value: T, owner: string | undefined, origin: typeof BY_ACQUIRE | typeof BY_TRY_ACQUIRE, above: Function): Ref<T> => {
			const ref = new Ref(CREATE, record, value, owner);
			if (record.recorded) ref.#link = record.begin(origin, owner, null, above, ref);
			record.count++;
			return ref;
		};
		acquireThrough = (record, value, owner, above) => acquireAs(record, value, owner, BY_TRY_ACQUIRE, above);
		heldOf = (ref) => ({ ref: ref.id, record: ref.#record, entry: typeof ref.#link === 'object' ? ref.#link : null });
		const step = (ref: Ref<object>, by: Releaser): boolean => {
			if (ref.#state !== 'live') {
				Ref.#dead(ref, by.op, ref.#state === 'moved' ? 'release-after-move' : 'double-release', by.above);
				return false;
			}
			const record = ref.#record;
			const entry = ref.#link;
			// A stack overflow (a deep onZero chain) can come at any call. So the history first: cut short, it
			// has changed nothing. Then the state and the count, with no call between them to part them.
			if (typeof entry === 'object') record.end(entry, 'released', undefined, by.above, null);
			ref.#state = 'released';
			if (--record.count !== 0) return false;
			record.retire();
			removeRecord(ref.#value, record);
			if (!record.hasOnZero) return false;
			zeroCall = takeOnZero(ref.#value, record);
			return zeroCall !== undefined;
		};
		const outermost = (ref: Ref<object>, { op, above }: Releaser): void => {
			const onZero = zeroCall!;
			inOnZero = true;
			try {
				onZero(ref.#value);
			} catch (cause) {
				// Over first: a release made by an onViolation callback is outermost again.
				zeroCallsOver();
				dispatch(ref.#record.settings.onViolation, onZeroFailed(Ref.#culprit(ref, op), cause, above));
				return;
			}
			zeroCallsOver();
		};
		releaseBelow = (ref, op, above) => {
			const by = { op, above };
			if (!step(ref, by)) return;
			if (!inOnZero) return outermost(ref, by);
			zeroCall!(ref.#value);
		};
		acquireBelow = <T extends object>(ref: Ref<T>, owner: string | undefined, above: Function): Ref<T> =>
			ref.#state === 'live' ? acquireAs(ref.#record, ref.#value, owner, BY_ACQUIRE, above) : Ref.#deadVoid(ref, 'acquire', 'acquire-after-release', above, owner);
		misuseBelow = (ref, op, above, summary) => {
			const moved = ref.#state === 'moved';
			const kind: MisuseKind = op === 'release' || op === 'dispose' ? (moved ? 'release-after-move' : 'double-release') : Ref.#useKind(ref);
			if (ref.#state !== 'void') dispatch(ref.#record.settings.onViolation, misuse(kind, Ref.#culprit(ref, op), ref.#state === 'moved', above, summary));
		};
		entryOfRef = (ref) => (typeof ref.#link === 'object' ? ref.#link : null);
		moveBelow = <T extends object>(from: Ref<T>, owner: string | undefined, above: Function): Ref<T> => {
			if (from.#state !== 'live') return Ref.#deadVoid(from, 'move', from.#state === 'moved' ? 'double-move' : 'move-after-release', above, owner);
			const ref = new Ref(CREATE, from.#record, from.#value, owner);
			const entry = from.#link;
			if (typeof entry === 'object') return Ref.#movedTo(from, ref, entry, owner, above);
			from.#state = 'moved';
			return ref;
		};
		revokeBelow = (ref, reason, above) => {
			if (ref.#state !== 'live' || ref.#record.gate?.revoked) return null;
			revokeRecord(ref.#record, ref.id, ref.owner, reason, above);
			return ref.#record;
		};
		RELEASE = { op: 'release', above: Ref.prototype.release };
		DISPOSE = { op: 'dispose', above: Ref.prototype[Symbol.dispose] };
		releasing = (ref) => step(ref, RELEASE);
		disposing = (ref) => step(ref, DISPOSE);
		releaseOutermost = (ref) => outermost(ref, RELEASE);
		disposeOutermost = (ref) => outermost(ref, DISPOSE);
	}

	/** The kind of a use of a dead reference: through a moved one, or through a released one. */
	static #useKind(ref: Ref<object>): MisuseKind {
		return ref.#state === 'moved' ? 'use-after-move' : 'use-after-release';
	}

	/** Reports a misuse of a dead reference (under `report` or a callback, the caller goes on with a void ref). */
	static #dead(ref: Ref<object>, op: EventOp, kind: MisuseKind, above: Function): void {
		if (ref.#state !== 'void') dispatch(ref.#record.settings.onViolation, misuse(kind, Ref.#culprit(ref, op), ref.#state === 'moved', above));
	}

	/** `#dead`, then the void ref to go on with: for the adapters' operations, whose `above` is their caller. */
	static #deadVoid<T extends object>(ref: Ref<T>, op: EventOp, kind: MisuseKind, above: Function, owner: string | undefined): Ref<T> {
		Ref.#dead(ref, op, kind, above);
		return Ref.#void(ref, owner);
	}

	static #void<T extends object>(ref: Ref<T>, owner: string | undefined): Ref<T> {
		const result = new Ref(CREATE, ref.#record, ref.#value, owner);
		result.#state = 'void';
		return result;
	}

	/**
	 * Reports a call the object's gate refuses: anything through a revoked reference, an acquire into an
	 * exclusive section. @returns a void ref for an acquire or move, or null when the gate lets it through.
	 */
	static #refused<T extends object>(ref: Ref<T>, op: EventOp, above: Function, owner?: string): Ref<T> | null {
		const record = ref.#record;
		const gate = record.gate!;
		const section = gate.sections.at(-1);
		if (gate.revoked !== null) dispatch(record.settings.onViolation, afterRevoke(Ref.#culprit(ref, op), gate.revoked, above));
		else if (op === 'acquire' && section !== undefined) dispatch(record.settings.onViolation, intrusion(Ref.#culprit(ref, op), section, insideSection(section), above));
		else return null;
		return Ref.#void(ref, owner);
	}
}

/**
 * A pointer to a tracked object that is not a reference: no count, not on the live list, never a leak, and
 * it never keeps the object alive. Made by `ref.weak()`; `tryAcquire` is the kernel's
 * `kref_get_unless_zero`.
 */
export class WeakHandle<T extends object> {
	readonly #record: ObjectRecord;
	readonly #target: WeakRef<T>;
	// The reference it was made from, and its owner: how a report names the handle.
	readonly #source: number;
	readonly #owner: string;

	/** @internal Handles are made by `ref.weak()`. */
	constructor(create: typeof CREATE, record: ObjectRecord, value: T, source: number, owner: string) {
		if (create !== CREATE) throw new TypeError('WeakHandle cannot be constructed directly; use ref.weak()');
		this.#record = record;
		this.#target = new WeakRef(value);
		this.#source = source;
		this.#owner = owner;
	}

	/** The object's count (0 once it reached zero); reading it is never a violation. */
	get count(): number {
		return this.#record.count;
	}

	/** The tracked object's label (`Conn#3`). */
	get label(): string {
		return this.#record.label;
	}

	/**
	 * A new reference (count + 1) when the count is above zero, the object is not revoked and not collected;
	 * else null. Never a violation, but for an acquire into a running exclusive section (then null).
	 * @param owner who will hold the new reference.
	 */
	tryAcquire(owner?: string): Ref<T> | null {
		checkOwner(owner);
		const record = this.#record;
		if (record.count === 0) return null;
		const value = this.#target.deref();
		if (value === undefined) return null;
		const gate = record.gate;
		if (gate !== null) {
			const section = gate.sections.at(-1);
			if (gate.revoked !== null) return null;
			if (section !== undefined) {
				this.#intrude(section);
				return null;
			}
		}
		try {
			return acquireThrough(record, value, owner, ABOVE.tryAcquire);
		} catch (error) {
			// NOT_TAIL: inside `try`, the call above is not a tail call.
			throw error;
		}
	}

	#intrude(section: Section): void {
		const culprit: Culprit = { op: 'try-acquire', ref: this.#source, owner: this.#owner, entry: null, record: this.#record };
		dispatch(this.#record.settings.onViolation, intrusion(culprit, section, insideSection(section), ABOVE.tryAcquire));
	}

	/** `WeakHandle<Conn#3> count 2` (`revoked` when it is). */
	[Symbol.for('nodejs.util.inspect.custom')](): string {
		return `WeakHandle<${this.label}> count ${this.count}${this.#record.gate?.revoked ? ', revoked' : ''}`;
	}
}

// The public entry points, by which stacks are cut: the application's frame is the one below.
/*
 * NOT_TAIL. JavaScriptCore (Safari, Bun) implements proper tail calls in strict code: a function whose last
 * act is `return f(…)` leaves the stack before `f` runs. Stacks are cut at the public function called
 * (`ABOVE`), so one that ended in a call capturing a stack would be missing from it, and the stack would
 * start in reftrace's own frames. So no public function ends in such a call: it makes the call and returns
 * afterwards, or makes it inside `try` (which a minifier keeps, and where no call is a tail call).
 */
const ABOVE = {
	acquire: Ref.prototype.acquire,
	move: Ref.prototype.move,
	weak: Ref.prototype.weak,
	exclusive: Ref.prototype.exclusive,
	revoke: Ref.prototype.revoke,
	tryAcquire: WeakHandle.prototype.tryAcquire,
	value: Object.getOwnPropertyDescriptor(Ref.prototype, 'value')!.get!,
};

/**
 * Starts tracking `value` with count 1 and returns the creator's reference.
 * @throws TypeError when `value` is not an object, when it is already tracked under the same name, or when an option is invalid.
 * @example
 * const ref = track(new Conn(), { onZero: (conn) => conn.close() });
 * const extra = ref.acquire('cache');
 * extra.release();
 * ref.release(); // onZero runs here
 */
export function track<T extends object>(value: T, options: TrackOptions<T> = {}): Ref<T> {
	try {
		return trackBelow(value, options, track);
	} catch (error) {
		// NOT_TAIL: inside `try`, the call above is not a tail call.
		throw error;
	}
}

/** `track`, its stacks cut at `above` (an adapter's public function). @internal */
export function trackBelow<T extends object>(value: T, options: TrackOptions<T>, above: Function): Ref<T> {
	if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
		throw new TypeError(`Expected \`value\` to be an object, got ${value === null ? 'null' : typeof value}`);
	}
	expectObject('options', options);
	const { name = defaultName(value), owner, onZero, holds } = options;
	if (typeof name !== 'string' || name === '') throw new TypeError(`Expected \`name\` to be a non-empty string, got ${typeof name}`);
	checkOwner(owner);
	if (onZero !== undefined && typeof onZero !== 'function') {
		throw new TypeError(`Expected \`onZero\` to be a function, got ${typeof onZero}`);
	}
	if (holds !== undefined && !(holds instanceof Ref)) throw new TypeError(`Expected \`holds\` to be a Ref, got ${holds === null ? 'null' : typeof holds}`);
	const existing = recordNamed(value, name);
	if (existing !== undefined) {
		throw new TypeError(`Expected \`value\` to be an object not already tracked as ${name}; it is tracked as ${existing.label} with count ${existing.count}`);
	}
	// A dead or revoked `holds` is reported (or thrown) as the usual misuse before anything is made.
	let held = holds === undefined || holds.state === 'live' ? undefined : holds.move(name);
	const record = new ObjectRecord(name, settings(), onZero !== undefined || holds !== undefined);
	addRecord(value, record);
	if (holds !== undefined) {
		held ??= holds.move(record.label);
		if (held.state === 'live') {
			record.holds = heldOf(held);
			if (record.holds.entry !== null) record.holds.entry.heldBy = record;
		}
		addOnZero(value, record, nestedOnZero(onZero as OnZero | undefined, held));
	} else if (onZero !== undefined) addOnZero(value, record, onZero as OnZero);
	const ref = new Ref(CREATE, record, value, owner);
	if (record.recorded) setEntry(ref, record.begin(BY_TRACK, owner, null, above, ref));
	return ref;
}

/** A nested count's onZero: its own, then the release of the reference it holds (even if its own threw). */
function nestedOnZero(onZero: OnZero | undefined, held: Ref<object>): OnZero {
	return (value) => {
		try {
			onZero?.(value);
		} finally {
			held.release();
		}
	};
}

/*
 * The constructor's name, read from property descriptors: a getter (of `constructor` or a static `name`) is
 * never run, a `name` that is not a non-empty string is passed over, and a Proxy trap that throws is caught.
 * The walk up the prototype chain is bounded: a Proxy can make the chain endless.
 */
function defaultName(value: object): string {
	try {
		let target: object | null = value;
		for (let depth = 0; target !== null && depth < 64; depth++, target = Object.getPrototypeOf(target)) {
			const slot = Object.getOwnPropertyDescriptor(target, 'constructor');
			if (slot === undefined) continue;
			const ctor: unknown = slot.value;
			const name: unknown = typeof ctor === 'function' ? Object.getOwnPropertyDescriptor(ctor, 'name')?.value : undefined;
			return typeof name === 'string' && name !== '' ? name : 'Object';
		}
	} catch {
		// A Proxy's trap threw: the application's error is not track's to raise.
	}
	return 'Object';
}

/**
 * The operations adapters (`instrument`, `reftrace/embind`) build on, each cutting its stacks at `above`,
 * the adapter's function the application called, so that sites are the application's even when the
 * adapter is bundled with it. @internal
 */
export const belowAdapter = {
	/** Releases `ref` as `op` (a second release is a double release naming the first). */
	release: (ref: Ref<object>, op: EventOp, above: Function): void => releaseBelow(ref, op, above),
	/** A new reference to `ref`'s object. */
	acquire: <T extends object>(ref: Ref<T>, owner: string | undefined, above: Function): Ref<T> => acquireBelow(ref, owner, above),
	/** Reports a misuse of a reference that is no longer live (`op`: what was attempted), with `summary` instead of the usual sentence when given. */
	misuse: (ref: Ref<object>, op: EventOp, above: Function, summary: string | null = null): void => misuseBelow(ref, op, above, summary),
	/** Hands `ref` to a new owner (a move). */
	move: <T extends object>(ref: Ref<T>, owner: string | undefined, above: Function): Ref<T> => moveBelow(ref, owner, above),
	/** The reference's history, or null in `off` mode. */
	entry: (ref: Ref<object>): Entry | null => entryOfRef(ref),
	/**
	 * Revokes the object of `ref` when it is live and not revoked yet (never a violation), with no site when
	 * `above` is null (no call of the application's made it). @returns its record then, else null.
	 */
	revoke: (ref: Ref<object>, reason: string | null, above: Function | null): ObjectRecord | null => revokeBelow(ref, reason, above),
};
