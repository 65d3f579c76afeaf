import { performance } from 'node:perf_hooks';
import type { Mode, Settings, ViolationPolicy } from './modes.js';
import { currentScope, type Scope } from './scope.js';
import { captureStack, type Stack } from './stack.js';

/** How a reference came to be: the object's first reference, a new count, or a hand-off. */
export type Origin = 'track' | 'acquire' | 'move';
/** How a reference ended; `leaked` means it was collected while still live. */
export type Ending = 'released' | 'moved' | 'leaked';

/*
 * Times are kept as whole ticks of 10 µs: small integers that V8 stores inline, where a fractional
 * millisecond would cost a 16-byte box per entry. They stay exact integers past 2^31 ticks (about six
 * hours of uptime); only then do they take the box.
 */
const TICKS_PER_MS = 100;

/** Now, in ticks since the process started. */
export function clock(): number {
	return Math.round(performance.now() * TICKS_PER_MS);
}

/** Ticks to milliseconds. */
export function milliseconds(ticks: number): number {
	return ticks / TICKS_PER_MS;
}

/** How and when a reference ended; allocated only then, so a live reference does not carry it. */
export interface EndRecord {
	readonly how: Ending;
	readonly stack: Stack | null;
	readonly time: number;
	/** For a moved reference, the entry that took it over. */
	readonly successor: Entry | null;
}

// Rarely set, so kept beside entries rather than in every one: the id a moved reference was first
// taken under, and the checked scope a reference was taken in.
const roots = new WeakMap<Entry, number>();
const scopes = new WeakMap<Entry, Scope>();

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
		readonly record: Tracked,
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
}

const nextObjectId = new Map<string, number>();
/** Objects tracked in `list`/`full` mode whose count is above zero (what snapshots and exit reports read). */
export const liveRecords = new Set<Tracked>();

/** Everything reftrace knows about one tracked object; it never holds the object itself. */
export class Tracked {
	readonly id: number;
	count = 1;
	/** Head of the live list (list/full modes). */
	head: Entry | null = null;
	/** Ring of recently ended entries (list/full modes). */
	readonly quarantine: (Entry | undefined)[];
	private quarantineNext = 0;
	readonly mode: Mode;
	readonly policy: ViolationPolicy;
	readonly recorded: boolean;
	readonly stacks: boolean;
	readonly stackDepth: number;
	readonly releaseStackDepth: number;
	/** Whether dropped references are reported when collected. */
	readonly gcLeaks: boolean;
	/** Share of references whose events record stacks (full mode). */
	readonly sample: number;

	/** Takes the settings in force now; the object keeps them for life. */
	constructor(
		readonly name: string,
		config: Settings,
		readonly onZero: ((value: never) => void) | undefined,
	) {
		const id = (nextObjectId.get(name) ?? 0) + 1;
		nextObjectId.set(name, id);
		this.id = id;
		this.mode = config.mode;
		this.policy = config.onViolation;
		this.recorded = config.mode !== 'off';
		this.stacks = config.mode === 'full';
		this.stackDepth = config.stackDepth;
		this.releaseStackDepth = config.releaseStackDepth;
		this.gcLeaks = config.gcLeaks && this.recorded;
		this.sample = config.sample;
		this.quarantine = this.recorded ? new Array<Entry | undefined>(config.quarantine) : [];
		if (this.recorded) liveRecords.add(this);
	}

	/** `Conn#3`: the object's label in every report. */
	get label(): string {
		return `${this.name}#${this.id}`;
	}

	/**
	 * Records a new reference and puts it on the live list. `moved` is the entry a move takes over (null
	 * otherwise); `above` is the public function the application called, whose frame and everything above
	 * it are left out of the stack.
	 */
	begin(id: number, origin: Origin, owner: string | undefined, moved: Entry | null, above: Function): Entry {
		// A reference is sampled as a whole: its ending records a stack only if its beginning did, and a
		// move carries on the reference it takes over, so it keeps that reference's decision.
		const sampled = this.stacks && (moved !== null ? moved.stack !== null : this.sample >= 1 || Math.random() < this.sample);
		const entry = new Entry(id, this, owner ?? null, origin, sampled ? captureStack(this.stackDepth, above) : null, clock());
		if (moved !== null) {
			roots.set(entry, moved.rootId);
			const scope = moved.scope;
			if (scope !== null) scopes.set(entry, scope);
		} else {
			const scope = currentScope();
			if (scope !== null) scopes.set(entry, scope);
		}
		const head = this.head;
		if (head !== null) head.prev = entry;
		entry.next = head;
		this.head = entry;
		return entry;
	}

	/**
	 * Takes an entry off the live list, stamps how it ended, and keeps it in the quarantine.
	 * `stack` is the ending's stack when the caller already has it (a move shares one with its new entry).
	 */
	end(entry: Entry, how: Ending, stack: Stack | null | undefined, above: Function, successor: Entry | null): void {
		const endStack = stack !== undefined ? stack : entry.stack !== null && how !== 'leaked' ? captureStack(this.releaseStackDepth, above) : null;
		entry.end = { how, stack: endStack, time: clock(), successor };
		if (how === 'leaked') return;
		const { prev, next } = entry;
		if (prev !== null) prev.next = next;
		else this.head = next;
		if (next !== null) next.prev = prev;
		entry.prev = entry.next = null;
		const size = this.quarantine.length;
		if (size > 0) {
			this.quarantine[this.quarantineNext] = entry;
			this.quarantineNext = (this.quarantineNext + 1) % size;
		}
	}

	/** Called once, when the count reaches zero: the object leaves the set of live records. */
	retire(): void {
		liveRecords.delete(this);
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
