import { epochMilliseconds } from './clock.js';
import { SNAPSHOT_SCHEMA, type Snapshot, type SnapshotObject, type SnapshotRef } from './data.js';
import { host } from './platform/host.js';
import { liveRecords, type Entry, type ObjectRecord } from './record.js';
import { withFoldedSignatures } from './report/chain.js';
import { siteList, walkRefs, type RefSink } from './snapshot-walk.js';
import { suppressionUses } from './suppress.js';
import { signatureCounts, suppressedCounts, violationCounts } from './tally.js';

/** Which live references a snapshot covers. */
type EntryFilter = (entry: Entry) => boolean;

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

function build(groups: Iterable<readonly [ObjectRecord, readonly Entry[]]>): Snapshot {
	const steps = building(groups);
	for (;;) {
		const step = steps.next();
		if (step.done === true) return step.value;
	}
}

/** Builds a snapshot (`walkRefs` with a sink that keeps every reference). */
function* building(groups: Iterable<readonly [ObjectRecord, readonly Entry[]]>): Generator<undefined, Snapshot, undefined> {
	const objects: SnapshotObject[] = [];
	let refs: SnapshotRef[] = [];
	const sink: RefSink = {
		ref(_record, ref, first) {
			if (first) refs = [];
			refs.push(ref);
		},
		object(_record, head, tail) {
			objects.push({ ...head, refs, ...tail });
		},
	};
	const walked = yield* walkRefs(groups, sink);
	const sites = siteList(walked);
	const { pid, threadId } = host();
	const data: Snapshot = {
		schema: SNAPSHOT_SCHEMA,
		pid,
		threadId,
		time: epochMilliseconds(walked.start),
		totals: { objects: walked.objects, refs: walked.refs, collected: walked.collected, sites: sites.length },
		objects,
		sites,
		stacks: walked.stacks,
		...processTables(),
		longLived: walked.longLived,
	};
	// A site a nested count's reference shares is signed as the report shows it, folded (a rare case: skipped when none is held).
	return walked.nested ? withFoldedSignatures(data) : data;
}

/** What a snapshot says of the whole process besides the live references: violations, signatures, suppressions. */
export function processTables(): Required<Pick<Snapshot, 'violations' | 'signatures' | 'suppressed' | 'suppressions'>> {
	return {
		violations: Object.fromEntries(violationCounts),
		signatures: [...signatureCounts.values()].sort((a, b) => b.count - a.count),
		suppressed: Object.fromEntries(suppressedCounts),
		suppressions: suppressionUses(),
	};
}
