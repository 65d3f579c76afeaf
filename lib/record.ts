import { era as currentEra, eraShift, eventClock, processId, processTicks, small, takeId } from './clock.js';
import type { Violation } from './errors.js';
import { contextOwner, ownersInContext } from './owner-context.js';
import { currentScope, type Scope } from './scope.js';
import { QUARANTINE_MAX, type Settings } from './settings.js';
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
	/** When, in ticks counted from `era` (see clock.ts); `endTime` gives the ticks since the process started. */
	readonly eraTime: number;
	readonly era: number;
	/** For a moved reference, the entry that took it over. */
	readonly successor: Entry | null;
}

/** When a reference ended, in ticks since the process started (see `clock`). */
export function endTime(end: EndRecord): number {
	return processTicks(end.era, end.eraTime);
}

/**
 * Receives the record's events as they happen. `begin`, `end` and `zero` come from objects tracked in
 * `list` or `full` mode (`off` mode records nothing); `violation` from every mode. Entries and records are
 * plain data (ids, owners, interned stacks, ticks); they never hold the application's objects. Handlers
 * run inside the application's calls: they must be quick and must not throw.
 */
export interface RecordObserver {
	/**
	 * A reference began; `entry.origin` says how. `token` is its Ref: watch it weakly, never keep it. `from`
	 * is the entry a move takes over (still live, ended right after), else null.
	 */
	readonly begin?: (entry: Entry, token: object, from: Entry | null) => void;
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
let onBegin: ((entry: Entry, token: object, from: Entry | null) => void) | null = null;
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

// Rarely set, so kept beside entries rather than in every one: the checked scope a reference was taken in.
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
		/** The id, counted from the entry's era (see clock.ts); `id` is the process-wide one. */
		readonly eraId: number,
		readonly record: ObjectRecord,
		/** Null in `full` mode when the caller named no owner: derived from the stack when shown. */
		readonly owner: string | null,
		/** The era and the origin in one small integer: the era shifted left by ORIGIN_BITS, or the origin's index in ORIGINS. */
		readonly code: number,
		readonly stack: Stack | null,
		/** When it began, in ticks counted from the entry's era; `time` is since the process started. */
		readonly eraTime: number,
	) {}

	/** The reference's id, as reports show it (`ref #12`): unique in the process. */
	get id(): number {
		return processId(this.code >> ORIGIN_BITS, this.eraId);
	}

	/** When it began, in ticks since the process started (see `clock`). */
	get time(): number {
		return processTicks(this.code >> ORIGIN_BITS, this.eraTime);
	}

	get origin(): Origin {
		return ORIGINS[this.code & ((1 << ORIGIN_BITS) - 1)]!;
	}

	get ending(): Ending | null {
		return this.end === null ? null : this.end.how;
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

/** The origins as `begin` takes them: their index in ORIGINS. */
export const BY_TRACK = 0;
export const BY_ACQUIRE = 1;
export const BY_MOVE = 2;
export const BY_TRY_ACQUIRE = 3;
const ORIGINS: readonly Origin[] = ['track', 'acquire', 'move', 'try-acquire'];
const ORIGIN_BITS = 2;

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

/** An ended reference as the quarantine keeps it: what its ending's report line needs, and no links. */
export type EndedEntry = Pick<Entry, 'id' | 'owner' | 'stack' | 'end'>;
const QUARANTINE_FIELDS = 4;
// `quarantineAt`: the era above these bits, the next slot in them (a quarantine has at most QUARANTINE_MAX slots).
const RING_SLOT_BITS = Math.log2(QUARANTINE_MAX);
const RING_SLOT_MASK = QUARANTINE_MAX - 1;

/** Objects tracked in `list`/`full` mode whose count is above zero (what snapshots and exit reports read). */
export const liveRecords = new Set<ObjectRecord>();

/** Everything reftrace knows about one tracked object; it never holds the object itself. */
export class ObjectRecord {
	readonly id: number;
	count = 1;
	/** Head of the live list (list/full modes). */
	head: Entry | null = null;
	/**
	 * The quarantine: what reports need of the last `settings.quarantine` ended references, QUARANTINE_FIELDS
	 * slots each (see `keep`), allocated at the first ending. Null until then, and in off mode.
	 */
	private quarantine: unknown[] | null = null;
	/** The next slot of the quarantine, and the era its ids and times count from (see `keep`). */
	private quarantineAt = 0;
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
		if (this.recorded) liveRecords.add(this);
	}

	/** `Conn#3`: the object's label in every report. */
	get label(): string {
		return `${this.name}#${this.id}`;
	}

	/**
	 * Records a new reference held by `token` and puts it on the live list. `origin` is one of the BY_
	 * constants; `moved` is the entry a move takes over (null otherwise); `above` is the public function
	 * the application called, whose frame and everything above it are left out of the stack.
	 */
	begin(origin: number, owner: string | undefined, moved: Entry | null, above: Function, token: object): Entry {
		const { settings } = this;
		// A reference is sampled as a whole: its ending records a stack only if its beginning did, and a
		// move carries on the reference it takes over, so it keeps that reference's decision.
		const sampled = settings.mode === 'full' && (moved !== null ? moved.stack !== null : settings.sample >= 1 || Math.random() < settings.sample);
		const stack = sampled ? internFrames(host().captureFrames(settings.stackDepth, above)) : null;
		// The time first: it is where an era begins, and the id is then counted from the same era.
		const time = eventClock();
		const code = (currentEra << ORIGIN_BITS) | origin;
		const entry = new Entry(takeId(), this, owner ?? (ownersInContext ? contextOwner() : null), code, stack, time);
		if (moved !== null) {
			const scope = moved.scope;
			if (scope !== null) scopes.set(entry, scope);
		} else {
			const scope = currentScope();
			if (scope !== null) scopes.set(entry, scope);
		}
		// Observers before the list: a stack overflow can come at any call, and cut short here nothing of the
		// object's has changed yet. The list itself changes with no call in between.
		if (onBegin !== null) onBegin(entry, token, moved);
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
		// A plain object, not a class: a constructor to inline made `end` too large to be inlined itself.
		const ending: EndRecord = { how, stack: endStack, eraTime: eventClock(), era: currentEra, successor };
		// Every call before the first change (a stack overflow can come at any call): then the entry is
		// either still live and listed, or ended and off the list, never between.
		if (how !== 'leaked') this.unlink(entry);
		entry.end = ending;
		if (how !== 'leaked' && this.settings.quarantine > 0) this.keep(entry, ending);
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

	/*
	 * An ended entry is kept as four plain slots, not as itself: the Entry and its EndRecord (about 150
	 * bytes) can go with their token, and an object used a thousand times holds 16 × 4 slots, not 16
	 * entries that each reached the old generation (3 KB per object after use; bench/notes.md). Slots: the
	 * id, the owner (or the taking stack an owner is derived from), the ending's stack, and the ending's
	 * time doubled, plus one when the reference was moved. The id and the time count from the ring's era,
	 * that of its newest ending, kept with the next slot's index in `quarantineAt` (the era shifted left by
	 * RING_SLOT_BITS, or the index: a field the record has anyway, where a slot more would cost 8 bytes an
	 * object; the first 2^20 eras fit, 180 years at one per hour and a half, 18 at a million references a
	 * second). The doubled time stays below 2^30, as an era's times stay below its span (clock.ts). A ring
	 * that lasted into a new era is counted again from it at its next ending; the values of endings eras
	 * older may then no longer be small integers, and take a box each, in that one ring.
	 */
	private keep(entry: Entry, ending: EndRecord): void {
		const ring = this.quarantine;
		const state = this.quarantineAt;
		const { era } = ending;
		// Nearly always: the ring exists and counts from the era of this ending and of its entry.
		if (ring === null || state >> RING_SLOT_BITS !== era || entry.code >> ORIGIN_BITS !== era) {
			this.keepInEra(entry, ending);
			return;
		}
		let next = state & RING_SLOT_MASK;
		const at = next * QUARANTINE_FIELDS;
		ring[at] = entry.eraId;
		ring[at + 1] = entry.owner ?? entry.stack;
		ring[at + 2] = ending.stack;
		ring[at + 3] = ending.eraTime * 2 + (ending.how === 'moved' ? 1 : 0);
		if (++next === this.settings.quarantine) next = 0;
		this.quarantineAt = state - (state & RING_SLOT_MASK) + next;
	}

	/**
	 * `keep` when the ring is new, or counts from an older era, or the entry began in an older era. Its
	 * stores repeat keep's on purpose: with these calls inside `keep`, even untaken, a steady list-mode pair
	 * cost about 10% more instructions (callgrind, bench/notes.md).
	 */
	private keepInEra(entry: Entry, ending: EndRecord): void {
		const size = this.settings.quarantine;
		const { era } = ending;
		const state = this.quarantineAt;
		let next = state & RING_SLOT_MASK;
		let ring = this.quarantine;
		if (ring === null) ring = this.quarantine = new Array<unknown>(size * QUARANTINE_FIELDS).fill(null);
		else if (state >> RING_SLOT_BITS !== era) recount(ring, state >> RING_SLOT_BITS, era);
		const at = next * QUARANTINE_FIELDS;
		const entryEra = entry.code >> ORIGIN_BITS;
		ring[at] = entryEra === era ? entry.eraId : small(entry.eraId - eraShift(entryEra, era).ids);
		ring[at + 1] = entry.owner ?? entry.stack;
		ring[at + 2] = ending.stack;
		ring[at + 3] = ending.eraTime * 2 + (ending.how === 'moved' ? 1 : 0);
		if (++next === size) next = 0;
		this.quarantineAt = (era << RING_SLOT_BITS) | next;
	}

	/** The quarantined references, oldest first, rebuilt from their slots (only reports read them). */
	ended(): EndedEntry[] {
		const ring = this.quarantine;
		if (ring === null) return [];
		const size = ring.length / QUARANTINE_FIELDS;
		const next = this.quarantineAt & RING_SLOT_MASK;
		const era = this.quarantineAt >> RING_SLOT_BITS;
		const entries: EndedEntry[] = [];
		for (let i = 0; i < size; i++) {
			const at = ((next + i) % size) * QUARANTINE_FIELDS;
			const id = ring[at] as number | null;
			if (id === null) continue;
			const ownerOrStack = ring[at + 1] as string | Stack | null;
			const timeAndHow = ring[at + 3] as number;
			const time = Math.floor(timeAndHow / 2);
			entries.push({
				id: processId(era, id),
				owner: typeof ownerOrStack === 'string' ? ownerOrStack : null,
				stack: typeof ownerOrStack === 'string' ? null : ownerOrStack,
				end: { how: timeAndHow - time * 2 === 1 ? 'moved' : 'released', stack: ring[at + 2] as Stack | null, eraTime: time, era, successor: null },
			});
		}
		return entries;
	}
}

/** Counts a quarantine's ids and times from era `to` instead of era `from`. */
function recount(ring: unknown[], from: number, to: number): void {
	const shift = eraShift(from, to);
	for (let at = 0; at < ring.length; at += QUARANTINE_FIELDS) {
		if (ring[at] === null) continue;
		ring[at] = small((ring[at] as number) - shift.ids);
		ring[at + 3] = small((ring[at + 3] as number) - shift.ticks * 2);
	}
}
