import { clock, milliseconds } from './clock.js';
import type { SnapshotObject, SnapshotRef, SnapshotRevocation, SnapshotSite } from './data.js';
import { balanceLines } from './balance-tree.js';
import { beginEvent, makeEvent } from './events.js';
import { isLongLived } from './expected-refs.js';
import { isLost } from './lost.js';
import { stillHeld } from './gate.js';
import type { Entry, ObjectRecord } from './record.js';
import { signatureOf } from './report/signature.js';
import { increment } from './tally.js';

/*
 * One walk over live references, for every snapshot and report: each reference is handed to a sink as it is
 * read (a snapshot keeps it; a streamed report writes it and forgets it), while the walk keeps only the
 * tables: per site its objects, stacks and owners, the distinct stacks, and the totals. They grow with the
 * number of distinct sites, objects per site, stacks and owners, not with the number of references, but for
 * the long-lived references, which are kept (listed apart, and few by design).
 */

/** What an object of a snapshot has besides its references, in the order its JSON lists them. */
export interface ObjectHead {
	readonly object: string;
	readonly name: string;
	readonly mode: SnapshotObject['mode'];
	readonly count: number;
}

/** What an object of a snapshot has after its references. */
export type ObjectTail = Pick<SnapshotObject, 'holds' | 'revoked' | 'balance'>;

/** Where the walk hands each reference; `object` follows the last reference of an object that had any. */
export interface RefSink {
	ref(record: ObjectRecord, ref: SnapshotRef, first: boolean): void;
	object(record: ObjectRecord, head: ObjectHead, tail: ObjectTail): void;
}

/** Counts of some references of one site. */
export interface Tally {
	refs: number;
	collected: number;
	oldest: number;
	readonly objects: Map<string, number>;
	readonly stacks: Map<number, number>;
	readonly owners: Map<string, number>;
}

const newTally = (): Tally => ({ refs: 0, collected: 0, oldest: -Infinity, objects: new Map(), stacks: new Map(), owners: new Map() });

/** One site's table: what the snapshot lists for it, and apart, the references nested counts hold (by holder), so that a report can fold them without having kept them. */
export interface SiteTable {
	readonly site: string | null;
	readonly source: string | null;
	readonly objects: Map<string, { object: string; refs: number; count: number }>;
	refs: number;
	collected: number;
	oldest: number;
	readonly stacks: Map<number, number>;
	readonly owners: Map<string, number>;
	/** The oldest reference no nested count holds. */
	freeOldest: number;
	/** Per holder's label: the references that nested count holds here (null until one is seen). */
	held: Map<string, Tally> | null;
}

/** What a walk leaves: the tables and the totals. */
export interface Walked {
	readonly start: number;
	readonly stacks: (readonly string[])[];
	readonly sites: Map<string | null, SiteTable>;
	readonly objects: number;
	readonly refs: number;
	readonly collected: number;
	readonly longLived: SnapshotRef[];
	/** Labels of the nested counts (objects that hold a reference) the walk listed. */
	readonly holders: Set<string>;
	/** Whether any listed reference is held by a nested count. */
	readonly nested: boolean;
}

/** A revoked object's revoke, and the references live then that are still held; null when it was not revoked. */
function revocationOf(record: ObjectRecord): SnapshotRevocation | null {
	const revoked = record.gate?.revoked;
	if (!revoked) return null;
	const { site, time } = makeEvent('revoke', revoked.ref, revoked.owner, revoked.stack, revoked.time);
	const lost = isLost(record);
	const held = stillHeld(revoked)
		// A lost object's: those it lists, not given back (neither long-lived nor collected ones).
		.filter((entry) => !lost || (entry.end === null && !isLongLived(entry)))
		.map((entry) => entry.id);
	return { reason: revoked.reason, ref: revoked.ref, owner: revoked.owner, site, time, liveAtRevoke: revoked.live.length, stillHeld: held, ...(lost ? { lost: true as const } : {}) };
}

/** What an object of a snapshot lists before its references. */
export function headOf(record: ObjectRecord): ObjectHead {
	return { object: record.label, name: record.name, mode: record.settings.mode, count: record.count };
}

/** What an object of a snapshot lists after its references. */
export function tailOf(record: ObjectRecord): ObjectTail {
	const balance = balanceLines(record);
	const holds = record.holds === null ? null : { ref: record.holds.ref, object: record.holds.record.label };
	return { holds, revoked: revocationOf(record), ...(balance.length > 0 ? { balance } : {}) };
}

function countIn(tally: Omit<Tally, 'objects'>, stack: number | null, owner: string, collected: boolean, age: number): void {
	tally.refs++;
	if (collected) tally.collected++;
	tally.oldest = Math.max(tally.oldest, age);
	if (stack !== null) increment(tally.stacks, stack);
	increment(tally.owners, owner);
}

/**
 * Walks `groups`, handing each reference to `sink`, and yields every `slice` references (a synchronous
 * caller just carries on). Ages are measured when their slice is read, from `start` for the first.
 */
export function* walkRefs(groups: Iterable<readonly [ObjectRecord, readonly Entry[]]>, sink: RefSink, slice = 10_000, start = clock()): Generator<undefined, Walked, undefined> {
	let now = start;
	let taken = 0;
	const stacks: (readonly string[])[] = [];
	// Stacks are interned, so most equal stacks are one array; equal ones that are not (taken again after
	// the depot let go of the first, or from a host without frame identity) are found by their text, joined once per array.
	const byArray = new Map<readonly string[], number>();
	const byText = new Map<string, number>();
	const indexOf = (frames: readonly string[]): number => {
		let index = byArray.get(frames);
		if (index === undefined) {
			const text = frames.join('\n');
			index = byText.get(text) ?? stacks.push(frames) - 1;
			byText.set(text, index);
			byArray.set(frames, index);
		}
		return index;
	};
	const sites = new Map<string | null, SiteTable>();
	const longLived: SnapshotRef[] = [];
	const holders = new Set<string>();
	let objects = 0;
	let refCount = 0;
	let collectedCount = 0;
	let nested = false;
	for (const [record, entries] of groups) {
		let listed = 0;
		// Revoked by its creator's loss: listed under the object's revoke only (one dropped, not at all), in no site or total.
		const lost = isLost(record);
		for (const entry of entries) {
			++taken;
			if (taken % slice === 0) {
				yield;
				now = clock();
			}
			const event = beginEvent(entry);
			const stack = event.stack.length > 0 ? indexOf(event.stack) : null;
			const collected = entry.ending === 'leaked';
			const age = milliseconds(now - entry.time);
			const heldBy = entry.heldBy?.label ?? null;
			const ref = { ref: entry.id, object: record.label, owner: event.owner, origin: event.op, site: event.site, stack, age, collected, heldBy };
			if (isLongLived(entry)) {
				longLived.push(ref);
				continue;
			}
			if (lost) {
				if (!collected) sink.ref(record, ref, listed++ === 0);
				continue;
			}
			if (collected) collectedCount++;
			let site = sites.get(event.site);
			if (site === undefined) {
				site = { site: event.site, source: event.source, objects: new Map(), refs: 0, collected: 0, oldest: 0, stacks: new Map(), owners: new Map(), freeOldest: -Infinity, held: null };
				sites.set(event.site, site);
			}
			countIn(site, stack, event.owner, collected, age);
			const perObject = site.objects.get(record.label) ?? { object: record.label, refs: 0, count: record.count };
			perObject.refs++;
			site.objects.set(record.label, perObject);
			if (heldBy === null) site.freeOldest = Math.max(site.freeOldest, age);
			else {
				nested = true;
				const held = (site.held ??= new Map());
				let tally = held.get(heldBy);
				if (tally === undefined) held.set(heldBy, (tally = newTally()));
				countIn(tally, stack, event.owner, collected, age);
				increment(tally.objects, record.label);
			}
			sink.ref(record, ref, listed++ === 0);
		}
		if (listed === 0) continue;
		if (!lost) {
			objects++;
			refCount += listed;
		}
		if (record.holds !== null) holders.add(record.label);
		sink.object(record, headOf(record), tailOf(record));
	}
	return { start, stacks, sites, objects, refs: refCount, collected: collectedCount, longLived, holders, nested };
}

function sortedCounts<K, R>(map: Map<K, number>, make: (key: K, refs: number) => R): R[] {
	return [...map].sort((a, b) => b[1] - a[1]).map(([key, refs]) => make(key, refs));
}

/** The sites of a walk as a snapshot lists them, most references first; each signed as a whole. */
export function siteList(walked: Walked): SnapshotSite[] {
	return [...walked.sites.values()]
		.sort((a, b) => b.refs - a.refs)
		.map((s) => {
			const objects = [...s.objects.values()].sort((a, b) => b.refs - a.refs);
			const stacks = sortedCounts(s.stacks, (stack, refs) => ({ stack, refs }));
			const top = stacks[0] === undefined ? [] : walked.stacks[stacks[0].stack]!;
			return {
				site: s.site,
				source: s.source,
				objects,
				refs: s.refs,
				collected: s.collected,
				oldest: s.oldest,
				stacks,
				owners: sortedCounts(s.owners, (owner, refs) => ({ owner, refs })),
				signature: signatureOf('leak', objects[0]!.object, top),
			};
		});
}
