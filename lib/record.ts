import { clock } from './clock.js';
import type { Violation } from './errors.js';
import { contextOwner, ownersInContext } from './owner-context.js';
import { currentScope, type Scope } from './scope.js';
import type { Settings } from './settings.js';
import { host } from './platform/host.js';
import { internFrames, type Stack } from './stack.js';

/** How a reference came to be: the object's first reference, a new count (`try-acquire`: through a weak handle), or a hand-off. */
export type Origin = 'track' | 'acquire' | 'move' | 'try-acquire';
/** How a reference ended; `leaked` means it was collected while still live. */
export type Ending = 'released' | 'moved' | 'leaked';

/** How and when a reference ended; allocated only then, so a live reference does not carry it. */
export interface EndRecord {
	readonly how: Ending;
	readonly stack: Stack | null;
	/** In ticks (see `clock`). */
	readonly time: number;
	/** For a moved reference, the entry that took it over. */
	readonly successor: Entry | null;
}

/**
 * Receives the record's events as they happen. `begin`, `end` and `zero` come from objects tracked in
 * `list` or `full` mode (`off` mode records nothing); `violation` from every mode. Entries and records are
 * plain data (ids, owners, interned stacks, ticks); they never hold the application's objects. Handlers
 * run inside the application's calls: they must be quick and must not throw.
 */
export interface RecordObserver {
	/** A reference began; `entry.origin` says how. `token` is its Ref: watch it weakly, never keep it. */
	readonly begin?: (entry: Entry, token: object) => void;
	/** A reference ended; `entry.end` says how (released, moved, or leaked: every collected one, printed or not). */
	readonly end?: (entry: Entry) => void;
	/** An object's count reached zero: the end of its life. */
	readonly zero?: (record: ObjectRecord) => void;
	/** An object's count changed with no reference beginning or ending (`adjust`: an adapter's untracked references); `record.count` is the new count. */
	readonly count?: (record: ObjectRecord) => void;
	/** A violation was reported, before its policy acts on it (leaks past the print limit are only counted, not reported). */
	readonly violation?: (error: Violation) => void;
}

const observers: RecordObserver[] = [];
/*
 * What the hot paths call, one slot per event: null while no observer wants that event (one check per
 * event), else the only observer's function or a fan-out over all of them. Rebuilt when observers change.
 */
let onBegin: ((entry: Entry, token: object) => void) | null = null;
let onEnd: ((entry: Entry) => void) | null = null;
let onZero: ((record: ObjectRecord) => void) | null = null;
let onCount: ((record: ObjectRecord) => void) | null = null;
let onViolation: ((error: Violation) => void) | null = null;

function slot<K extends keyof RecordObserver>(key: K): NonNullable<RecordObserver[K]> | null {
	const handlers = observers.map((o) => o[key]).filter((h): h is NonNullable<RecordObserver[K]> => h !== undefined);
	if (handlers.length <= 1) return handlers[0] ?? null;
	return ((...args: unknown[]) => {
		for (const handler of handlers) (handler as (...a: unknown[]) => void)(...args);
	}) as NonNullable<RecordObserver[K]>;
}

function rebuild(): void {
	onBegin = slot('begin');
	onEnd = slot('end');
	onZero = slot('zero');
	onCount = slot('count');
	onViolation = slot('violation');
}

/** Adds an observer of every event from now on. @returns a function that removes it. */
export function observe(added: RecordObserver): () => void {
	observers.push(added);
	rebuild();
	return () => {
		const index = observers.indexOf(added);
		if (index >= 0) observers.splice(index, 1);
		rebuild();
	};
}

/** Tells the observers of a violation. */
export function noteViolation(error: Violation): void {
	if (onViolation !== null) onViolation(error);
}

// Rarely set, so kept beside entries rather than in every one: the id a moved reference was first
// taken under, and the checked scope a reference was taken in.
const roots = new WeakMap<Entry, number>();
const scopes = new WeakMap<Entry, Scope>();
// The nested count holding an entry's reference (`track(v, { holds })`).
const holders = new WeakMap<Entry, ObjectRecord>();

/**
 * One reference's history as plain data. The live list and the quarantine hold entries, never the Ref
 * tokens, so a token its holder dropped can still be collected (and reported as a leak).
 */
export class Entry {
	/** Neighbours on the object's live list. */
	prev: Entry | null = null;
	next: Entry | null = null;
	end: EndRecord | null = null;

	constructor(
		readonly id: number,
		readonly record: ObjectRecord,
		/** Null in `full` mode when the caller named no owner: derived from the stack when shown. */
		readonly owner: string | null,
		readonly origin: Origin,
		readonly stack: Stack | null,
		/** In ticks (see `clock`). */
		readonly time: number,
	) {}

	get ending(): Ending | null {
		return this.end === null ? null : this.end.how;
	}

	/** Id of the first entry in this reference's chain of moves: when the reference was really taken. */
	get rootId(): number {
		return roots.get(this) ?? this.id;
	}

	/** The checked scope the reference was taken in (kept across moves). */
	get scope(): Scope | null {
		return scopes.get(this) ?? null;
	}

	/** The nested count that holds this reference, or null. */
	get heldBy(): ObjectRecord | null {
		return holders.get(this) ?? null;
	}

	set heldBy(holder: ObjectRecord | null) {
		if (holder === null) holders.delete(this);
		else holders.set(this, holder);
	}
}

/** A revoke (`ref.revoke(reason)`): who, where, why, and the references live at that moment. */
export interface Revocation {
	readonly ref: number;
	/** The revoking reference's owner, as `Ref.owner` read it then. */
	readonly owner: string;
	readonly stack: Stack | null;
	readonly time: number;
	/** As given to `revoke(reason)`; null when none was. */
	readonly reason: string | null;
	/** Entries live at the revoke, oldest first (list/full); those not yet ended are still held. */
	readonly live: readonly Entry[];
}

/** An exclusive section (`ref.exclusive(fn)`) while `fn` runs. */
export interface Section {
	readonly ref: number;
	readonly owner: string;
	readonly stack: Stack | null;
	readonly time: number;
}

/** What makes an acquire on an object a violation: a revoke, or open exclusive sections (newest last). */
export interface Gate {
	revoked: Revocation | null;
	readonly sections: Section[];
}

/** The reference a nested count holds on its parent count. */
export interface Held {
	readonly ref: number;
	readonly record: ObjectRecord;
	/** Its entry when the parent is recorded (list/full), else null. */
	readonly entry: Entry | null;
}

/*
 * Ids count per name (`Conn#1`, `Conn#2`) for the first NAME_LIMIT names. An application that makes up
 * names (one per request, say) would grow the table forever, so later names share one counter instead:
 * their ids are still unique per name (the counter never goes back), only no longer consecutive.
 */
const NAME_LIMIT = 10_000;
const nextObjectId = new Map<string, number>();
let sharedObjectId = 0;

function objectId(name: string): number {
	const last = nextObjectId.get(name);
	if (last === undefined && nextObjectId.size >= NAME_LIMIT) return ++sharedObjectId;
	const id = (last ?? 0) + 1;
	nextObjectId.set(name, id);
	return id;
}

/** Objects tracked in `list`/`full` mode whose count is above zero (what snapshots and exit reports read). */
export const liveRecords = new Set<ObjectRecord>();

/** Everything reftrace knows about one tracked object; it never holds the object itself. */
export class ObjectRecord {
	readonly id: number;
	count = 1;
	/** Head of the live list (list/full modes). */
	head: Entry | null = null;
	/** Ring of recently ended entries (list/full modes). */
	readonly quarantine: (Entry | undefined)[];
	private quarantineNext = 0;
	/** Whether references are recorded (list/full modes): read on every acquire. */
	readonly recorded: boolean;
	/** Revocation and exclusive sections: null for nearly every object; set and cleared by `gate.ts`, with `watched`. */
	gate: Gate | null = null;
	/** Whether an acquire has more to do than count: record (list/full) or pass the gate. One check in off mode. */
	watched: boolean;
	/** The reference of another count this nested count holds (`track(v, { holds })`), or null. */
	holds: Held | null = null;

	/** Takes the settings in force now; the object keeps them for life. */
	constructor(
		readonly name: string,
		readonly settings: Settings,
		/** Whether `track` was given an `onZero` (the callback itself is kept beside the object, not here: the record must never keep the object alive). */
		readonly hasOnZero: boolean,
	) {
		this.id = objectId(name);
		this.recorded = settings.mode !== 'off';
		this.watched = this.recorded;
		this.quarantine = this.recorded ? new Array<Entry | undefined>(settings.quarantine) : [];
		if (this.recorded) liveRecords.add(this);
	}

	/** `Conn#3`: the object's label in every report. */
	get label(): string {
		return `${this.name}#${this.id}`;
	}

	/**
	 * Records a new reference held by `token` and puts it on the live list. `moved` is the entry a move
	 * takes over (null otherwise); `above` is the public function the application called, whose frame and
	 * everything above it are left out of the stack.
	 */
	begin(id: number, origin: Origin, owner: string | undefined, moved: Entry | null, above: Function, token: object): Entry {
		const { settings } = this;
		// A reference is sampled as a whole: its ending records a stack only if its beginning did, and a
		// move carries on the reference it takes over, so it keeps that reference's decision.
		const sampled = settings.mode === 'full' && (moved !== null ? moved.stack !== null : settings.sample >= 1 || Math.random() < settings.sample);
		const entry = new Entry(id, this, owner ?? (ownersInContext ? contextOwner() : null), origin, sampled ? internFrames(host().captureFrames(settings.stackDepth, above)) : null, clock());
		if (moved !== null) {
			roots.set(entry, moved.rootId);
			const scope = moved.scope;
			if (scope !== null) scopes.set(entry, scope);
		} else {
			const scope = currentScope();
			if (scope !== null) scopes.set(entry, scope);
		}
		// Observers before the list: a stack overflow can come at any call, and cut short here nothing of the
		// object's has changed yet. The list itself changes with no call in between.
		if (onBegin !== null) onBegin(entry, token);
		const head = this.head;
		if (head !== null) head.prev = entry;
		entry.next = head;
		this.head = entry;
		return entry;
	}

	/**
	 * Takes an entry off the live list (nothing when it is not on it). Also takes back an entry `begin` made
	 * when the call it was made for could not finish. No call inside: it changes the list whole or not at all.
	 */
	unlink(entry: Entry): void {
		const { prev, next } = entry;
		if (prev !== null) prev.next = next;
		else if (this.head === entry) this.head = next;
		if (next !== null) next.prev = prev;
		entry.prev = entry.next = null;
	}

	/**
	 * Takes an entry off the live list, stamps how it ended, and keeps it in the quarantine.
	 * `stack` is the ending's stack when the caller already has it (a move shares one with its new entry).
	 */
	end(entry: Entry, how: Ending, stack: Stack | null | undefined, above: Function, successor: Entry | null): void {
		const endStack = stack !== undefined ? stack : entry.stack !== null && how !== 'leaked' ? internFrames(host().captureFrames(this.settings.releaseStackDepth, above)) : null;
		const ending = { how, stack: endStack, time: clock(), successor };
		// Every call before the first change (a stack overflow can come at any call): then the entry is
		// either still live and listed, or ended and off the list, never between.
		if (how !== 'leaked') this.unlink(entry);
		entry.end = ending;
		if (how !== 'leaked') {
			const size = this.quarantine.length;
			if (size > 0) {
				this.quarantine[this.quarantineNext] = entry;
				this.quarantineNext = (this.quarantineNext + 1) % size;
			}
		}
		if (onEnd !== null) onEnd(entry);
	}

	/** Called once, when the count reaches zero: the object leaves the set of live records. */
	retire(): void {
		liveRecords.delete(this);
		if (onZero !== null && this.recorded) onZero(this);
	}

	/** Changes the count by `delta` for references that have no entry (`instrument`'s counted shape), and tells the observers. */
	adjust(delta: number): void {
		this.count += delta;
		if (onCount !== null && this.recorded) onCount(this);
	}

	/** Live entries, newest first. */
	live(): Entry[] {
		const entries: Entry[] = [];
		for (let e = this.head; e !== null; e = e.next) entries.push(e);
		return entries;
	}

	/** Quarantined entries, oldest first. */
	ended(): Entry[] {
		const size = this.quarantine.length;
		const entries: Entry[] = [];
		for (let i = 0; i < size; i++) {
			const entry = this.quarantine[(this.quarantineNext + i) % size];
			if (entry !== undefined) entries.push(entry);
		}
		return entries;
	}
}
