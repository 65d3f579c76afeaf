import { clock, epochMilliseconds, milliseconds } from './clock.js';
import { SNAPSHOT_SCHEMA, type Snapshot, type SnapshotObject, type SnapshotRef, type SnapshotRevocation } from './data.js';
import { balanceLines } from './balance-tree.js';
import { beginEvent, makeEvent } from './events.js';
import { isLongLived } from './expected-refs.js';
import { isLost } from './lost.js';
import { stillHeld } from './gate.js';
import { host } from './platform/host.js';
import { liveRecords, type Entry, type ObjectRecord } from './record.js';
import { withFoldedSignatures } from './report/chain.js';
import { signatureOf } from './report/signature.js';
import { suppressionUses } from './suppress.js';
import { increment, signatureCounts, suppressedCounts, violationCounts } from './tally.js';

/** Which live references a snapshot covers. */
type EntryFilter = (entry: Entry) => boolean;

interface SiteBuilder {
	readonly site: string | null;
	readonly source: string | null;
	readonly objects: Map<string, { object: string; refs: number; count: number }>;
	refs: number;
	collected: number;
	oldest: number;
	readonly stacks: Map<number, number>;
	readonly owners: Map<string, number>;
}

function sortedCounts<K, R>(map: Map<K, number>, make: (key: K, refs: number) => R): R[] {
	return [...map].sort((a, b) => b[1] - a[1]).map(([key, refs]) => make(key, refs));
}

/**
 * Every live reference to objects tracked in `list` or `full` mode, grouped by object and by site.
 * @example
 * const { totals, sites } = snapshot();
 * console.log(`${totals.refs} live refs; busiest site ${sites[0]?.site}`);
 */
export function snapshot(): Snapshot {
	return collectSnapshot(undefined);
}

/** The live references `filter` accepts, by object (scopes and tests cover a part). */
export function liveEntries(filter: EntryFilter | undefined): [ObjectRecord, Entry[]][] {
	const groups: [ObjectRecord, Entry[]][] = [];
	for (const record of liveRecords) groups.push([record, filter === undefined ? record.live() : record.live().filter(filter)]);
	return groups;
}

/** A snapshot of the live references `filter` accepts. */
export function collectSnapshot(filter: EntryFilter | undefined): Snapshot {
	return build(liveEntries(filter));
}

/** A snapshot of the given references, grouped by object as `liveEntries` returns them. */
export function snapshotOfEntries(groups: Iterable<readonly [ObjectRecord, readonly Entry[]]>): Snapshot {
	return build(groups);
}

/** A snapshot of one reference (a leak found by the garbage collector), without scanning any list. */
export function snapshotOf(entry: Entry): Snapshot {
	return build([[entry.record, [entry]]]);
}

/** A revoked object's revoke, and the references live then that are still held; null when it was not revoked. */
function revocationOf(record: ObjectRecord): SnapshotRevocation | null {
	const revoked = record.gate?.revoked;
	if (!revoked) return null;
	const { site, time } = makeEvent('revoke', revoked.ref, revoked.owner, revoked.stack, revoked.time);
	const lost = isLost(record);
	const held = stillHeld(revoked)
		.filter((entry) => !lost || entry.end === null)
		.map((entry) => entry.id);
	return { reason: revoked.reason, ref: revoked.ref, owner: revoked.owner, site, time, liveAtRevoke: revoked.live.length, stillHeld: held, ...(lost ? { lost: true as const } : {}) };
}

function build(groups: Iterable<readonly [ObjectRecord, readonly Entry[]]>): Snapshot {
	const steps = building(groups);
	for (;;) {
		const step = steps.next();
		if (step.done === true) return step.value;
	}
}

// References a gathered snapshot takes in before it lets the event loop run.
const SLICE = 10_000;

function* liveGroups(): Generator<readonly [ObjectRecord, readonly Entry[]]> {
	for (const record of liveRecords) yield [record, record.live()];
}

/**
 * Every live reference, as `snapshot()` gives them, gathered `SLICE` references at a time with `pause()`
 * awaited in between, so that a dump of millions of references never stops the program for long. What
 * is taken or given back meanwhile may or may not be in it; each age is measured when its slice is taken.
 */
export async function gatherSnapshot(pause: () => Promise<void>): Promise<Snapshot> {
	const steps = building(liveGroups());
	for (;;) {
		const step = steps.next();
		if (step.done === true) return step.value;
		await pause();
	}
}

/** Builds a snapshot, yielding after every SLICE references (a synchronous caller just carries on). */
function* building(groups: Iterable<readonly [ObjectRecord, readonly Entry[]]>): Generator<undefined, Snapshot, undefined> {
	const start = clock();
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
	const sites = new Map<string | null, SiteBuilder>();
	const objects: SnapshotObject[] = [];
	let refCount = 0;
	let collectedCount = 0;
	const longLived: SnapshotRef[] = [];
	let nested = false;
	let lostObjects = 0;
	for (const [record, entries] of groups) {
		const refs: SnapshotRef[] = [];
		// Revoked by its creator's loss: listed under the object's revoke only (one dropped, not at all).
		const lost = isLost(record);
		for (const entry of entries) {
			if (++taken % SLICE === 0) {
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
				if (!collected) refs.push(ref);
				continue;
			}
			if (collected) collectedCount++;
			if (heldBy !== null) nested = true;
			refs.push(ref);
			let site = sites.get(event.site);
			if (site === undefined) {
				site = { site: event.site, source: event.source, objects: new Map(), refs: 0, collected: 0, oldest: 0, stacks: new Map(), owners: new Map() };
				sites.set(event.site, site);
			}
			site.refs++;
			if (collected) site.collected++;
			site.oldest = Math.max(site.oldest, age);
			const perObject = site.objects.get(record.label) ?? { object: record.label, refs: 0, count: record.count };
			perObject.refs++;
			site.objects.set(record.label, perObject);
			if (stack !== null) increment(site.stacks, stack);
			increment(site.owners, event.owner);
		}
		if (refs.length === 0) continue;
		if (lost) lostObjects++;
		else refCount += refs.length;
		const balance = balanceLines(record);
		const holds = record.holds === null ? null : { ref: record.holds.ref, object: record.holds.record.label };
		objects.push({ object: record.label, name: record.name, mode: record.settings.mode, count: record.count, refs, holds, revoked: revocationOf(record), ...(balance.length > 0 ? { balance } : {}) });
	}
	const siteList = [...sites.values()]
		.sort((a, b) => b.refs - a.refs)
		.map((s) => {
			const siteObjects = [...s.objects.values()].sort((a, b) => b.refs - a.refs);
			const siteStacks = sortedCounts(s.stacks, (stack, refs) => ({ stack, refs }));
			const top = siteStacks[0] === undefined ? [] : stacks[siteStacks[0].stack]!;
			return {
				site: s.site,
				source: s.source,
				objects: siteObjects,
				refs: s.refs,
				collected: s.collected,
				oldest: s.oldest,
				stacks: siteStacks,
				owners: sortedCounts(s.owners, (owner, refs) => ({ owner, refs })),
				signature: signatureOf('leak', siteObjects[0]!.object, top),
			};
		});
	const { pid, threadId } = host();
	const data: Snapshot = {
		schema: SNAPSHOT_SCHEMA,
		pid,
		threadId,
		time: epochMilliseconds(start),
		totals: { objects: objects.length - lostObjects, refs: refCount, collected: collectedCount, sites: siteList.length },
		objects,
		sites: siteList,
		stacks,
		violations: Object.fromEntries(violationCounts),
		signatures: [...signatureCounts.values()].sort((a, b) => b.count - a.count),
		suppressed: Object.fromEntries(suppressedCounts),
		suppressions: suppressionUses(),
		longLived,
	};
	// A site a nested count's reference shares is signed as the report shows it, folded (a rare case: skipped when none is held).
	return nested ? withFoldedSignatures(data) : data;
}
