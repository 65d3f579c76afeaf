import { performance } from 'node:perf_hooks';
import { beginEvent, PID, THREAD_ID, type RefEvent } from './events.js';
import type { Mode } from './modes.js';
import { clock, liveRecords, milliseconds, type Entry, type Tracked } from './tracked.js';
import { violationCounts, type ViolationKind } from './violations.js';

/** Version of the snapshot and JSON report layout; bumped on any incompatible change. */
export const SNAPSHOT_SCHEMA = 'reftrace.snapshot/1';

/** One live reference in a snapshot. */
export interface SnapshotRef {
	readonly ref: number;
	/** The object's label, `Conn#3`. */
	readonly object: string;
	readonly owner: string;
	/** How the reference began: `track`, `acquire` or `move`. */
	readonly origin: RefEvent['op'];
	/** `file:line:column` of the call that took it, or null when no stack was recorded (list mode). */
	readonly site: string | null;
	/** Index into `Snapshot.stacks`, or null when no stack was recorded. */
	readonly stack: number | null;
	/** Milliseconds since the reference was taken. */
	readonly age: number;
	/** True when the garbage collector found the reference dropped without a release: a certain leak. */
	readonly collected: boolean;
}

/** One tracked object that still has references. */
export interface SnapshotObject {
	readonly object: string;
	readonly name: string;
	readonly mode: Mode;
	/** The count: every live reference, collected ones included (their count is never given back). */
	readonly count: number;
	readonly refs: readonly SnapshotRef[];
}

/** The live references taken at one site (the frame that called track/acquire/move). */
export interface SnapshotSite {
	readonly site: string | null;
	/** The text of the site's source line, when readable. */
	readonly source: string | null;
	/** Per object: its label, references from this site, and its count (`Conn#3 has 2/4 refs`). */
	readonly objects: readonly { readonly object: string; readonly refs: number; readonly count: number }[];
	readonly refs: number;
	readonly collected: number;
	/** Age in milliseconds of the oldest reference from this site. */
	readonly oldest: number;
	/** Distinct full stacks seen at this site (indexes into `Snapshot.stacks`), most frequent first. */
	readonly stacks: readonly { readonly stack: number; readonly refs: number }[];
	/** Owners of the references, most frequent first. */
	readonly owners: readonly { readonly owner: string; readonly refs: number }[];
}

/** Every live reference in the process, by object and by site: plain, JSON-serialisable data. */
export interface Snapshot {
	readonly schema: typeof SNAPSHOT_SCHEMA;
	readonly pid: number;
	readonly threadId: number;
	/** Milliseconds since the Unix epoch. */
	readonly time: number;
	readonly totals: { readonly objects: number; readonly refs: number; readonly collected: number; readonly sites: number };
	readonly objects: readonly SnapshotObject[];
	/** Sites with the most references first. */
	readonly sites: readonly SnapshotSite[];
	/** Deduplicated stacks, innermost frame first, as `fn (file:line:column)`. */
	readonly stacks: readonly (readonly string[])[];
	/** Violations reported so far in this process, by kind. */
	readonly violations: Readonly<Partial<Record<ViolationKind, number>>>;
}

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

function bump<K>(map: Map<K, number>, key: K): void {
	map.set(key, (map.get(key) ?? 0) + 1);
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

/** A snapshot of the live references `filter` accepts (scopes and tests cover a part). */
export function collectSnapshot(filter: EntryFilter | undefined): Snapshot {
	const groups: [Tracked, Entry[]][] = [];
	for (const record of liveRecords) groups.push([record, filter === undefined ? record.live() : record.live().filter(filter)]);
	return build(groups);
}

/** A snapshot of one reference (a leak found by the garbage collector), without scanning any list. */
export function snapshotOf(entry: Entry): Snapshot {
	return build([[entry.record, [entry]]]);
}

function build(groups: Iterable<readonly [Tracked, readonly Entry[]]>): Snapshot {
	const now = clock();
	const stackIndex = new Map<readonly string[], number>();
	const stacks: (readonly string[])[] = [];
	const sites = new Map<string | null, SiteBuilder>();
	const objects: SnapshotObject[] = [];
	let refCount = 0;
	let collectedCount = 0;
	for (const [record, entries] of groups) {
		const refs: SnapshotRef[] = [];
		for (const entry of entries) {
			const event = beginEvent(entry);
			let stack: number | null = null;
			if (event.stack.length > 0) {
				stack = stackIndex.get(event.stack) ?? stacks.push(event.stack) - 1;
				stackIndex.set(event.stack, stack);
			}
			const collected = entry.ending === 'leaked';
			if (collected) collectedCount++;
			refs.push({ ref: entry.id, object: record.label, owner: event.owner, origin: event.op, site: event.site, stack, age: milliseconds(now - entry.time), collected });
			let site = sites.get(event.site);
			if (site === undefined) {
				site = { site: event.site, source: event.source, objects: new Map(), refs: 0, collected: 0, oldest: 0, stacks: new Map(), owners: new Map() };
				sites.set(event.site, site);
			}
			site.refs++;
			if (collected) site.collected++;
			site.oldest = Math.max(site.oldest, milliseconds(now - entry.time));
			const perObject = site.objects.get(record.label) ?? { object: record.label, refs: 0, count: record.count };
			perObject.refs++;
			site.objects.set(record.label, perObject);
			if (stack !== null) bump(site.stacks, stack);
			bump(site.owners, event.owner);
		}
		if (refs.length === 0) continue;
		refCount += refs.length;
		objects.push({ object: record.label, name: record.name, mode: record.mode, count: record.count, refs });
	}
	const siteList = [...sites.values()]
		.sort((a, b) => b.refs - a.refs)
		.map((s) => ({
			site: s.site,
			source: s.source,
			objects: [...s.objects.values()].sort((a, b) => b.refs - a.refs),
			refs: s.refs,
			collected: s.collected,
			oldest: s.oldest,
			stacks: sortedCounts(s.stacks, (stack, refs) => ({ stack, refs })),
			owners: sortedCounts(s.owners, (owner, refs) => ({ owner, refs })),
		}));
	return {
		schema: SNAPSHOT_SCHEMA,
		pid: PID,
		threadId: THREAD_ID,
		time: performance.timeOrigin + milliseconds(now),
		totals: { objects: objects.length, refs: refCount, collected: collectedCount, sites: siteList.length },
		objects,
		sites: siteList,
		stacks,
		violations: Object.fromEntries(violationCounts),
	};
}
