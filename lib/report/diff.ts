import type { SignatureCount, Snapshot, SnapshotObject, SnapshotRef, SnapshotSite, ViolationKind } from '../data.js';
import { counted, withFoldedSignatures } from './chain.js';
import { signatureOf } from './signature.js';

/*
 * Comparing two reports of one process (Instruments' generations, a heap-snapshot tool's comparison):
 * the references live in the later one that were not live in the earlier, regrouped by site, and the
 * violations reported in between.
 */

function add<K>(counts: Map<K, number>, key: K, n = 1): void {
	counts.set(key, (counts.get(key) ?? 0) + n);
}

const byCount = <K>(counts: Map<K, number>): [K, number][] => [...counts].sort((a, b) => b[1] - a[1]);

/** The sites of `refs` (references of `source`), grouped as a snapshot groups them: most references first. */
function sitesOf(source: Snapshot, refs: readonly SnapshotRef[]): SnapshotSite[] {
	const counts = new Map(source.objects.map((o) => [o.object, o.count]));
	const sources = new Map(source.sites.map((s) => [s.site, s.source]));
	const groups = new Map<string | null, SnapshotRef[]>();
	for (const ref of refs) groups.set(ref.site, [...(groups.get(ref.site) ?? []), ref]);
	return [...groups]
		.map(([site, group]) => {
			const objects = new Map<string, number>();
			const stacks = new Map<number, number>();
			const owners = new Map<string, number>();
			for (const ref of group) {
				add(objects, ref.object);
				if (ref.stack !== null) add(stacks, ref.stack);
				add(owners, ref.owner);
			}
			const objectList = byCount(objects).map(([object, n]) => ({ object, refs: n, count: counts.get(object) ?? n }));
			const stackList = byCount(stacks).map(([stack, n]) => ({ stack, refs: n }));
			const top = stackList[0] === undefined ? [] : (source.stacks[stackList[0].stack] ?? []);
			return {
				site,
				source: sources.get(site) ?? null,
				objects: objectList,
				refs: group.length,
				collected: group.filter((ref) => ref.collected).length,
				oldest: Math.max(...group.map((ref) => ref.age)),
				stacks: stackList,
				owners: byCount(owners).map(([owner, n]) => ({ owner, refs: n })),
				signature: signatureOf('leak', objectList[0]!.object, top),
			};
		})
		.sort((a, b) => b.refs - a.refs);
}

/** `after`'s counts less `before`'s, keeping what grew. */
function grown<K extends string>(before: Partial<Record<K, number>>, after: Partial<Record<K, number>>): Partial<Record<K, number>> {
	const result: Partial<Record<K, number>> = {};
	for (const [key, n] of Object.entries(after) as [K, number][]) if (n > (before[key] ?? 0)) result[key] = n - (before[key] ?? 0);
	return result;
}

/**
 * The references live in `after` that were not live in `before` (same process: a reference is its object
 * and id), grouped by site, with the violations and signatures reported between the two. Like every
 * snapshot it keeps the references nested counts hold (`foldNested` folds those whose count is new too),
 * and signs each site as the folded report shows it.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): Snapshot {
	const known = new Set(before.objects.flatMap((o) => o.refs.map((ref) => `${ref.object}\n${ref.ref}`)));
	// A lost object's references (revoked by its creator's loss) are no leaks: not new live references either.
	const objects: SnapshotObject[] = after.objects
		.filter(counted)
		.map((o) => ({ ...o, refs: o.refs.filter((ref) => !known.has(`${ref.object}\n${ref.ref}`)) }))
		.filter((o) => o.refs.length > 0);
	const refs = objects.flatMap((o) => o.refs);
	const sites = sitesOf(after, refs);
	const earlier = new Map((before.signatures ?? []).map((s) => [s.hash, s.count]));
	const signatures: SignatureCount[] = (after.signatures ?? [])
		.map((s) => ({ ...s, count: s.count - (earlier.get(s.hash) ?? 0) }))
		.filter((s) => s.count > 0);
	return withFoldedSignatures({
		...after,
		totals: { objects: objects.length, refs: refs.length, collected: refs.filter((ref) => ref.collected).length, sites: sites.length },
		objects,
		sites,
		violations: grown<ViolationKind>(before.violations, after.violations),
		signatures,
		suppressed: grown<ViolationKind>(before.suppressed ?? {}, after.suppressed ?? {}),
		// Rule use counts are totals since the start; between two dumps they would mislead.
		suppressions: [],
	});
}
