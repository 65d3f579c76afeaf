import type { Snapshot, SnapshotObject, SnapshotRef, SnapshotSite } from '../data.js';
import { COUNTS, LOST } from '../wording.js';
import { escapeControls as safe } from './escape.js';
import { plural } from './format.js';
import { signatureOf } from './signature.js';

/*
 * Nested counts and revocations in the text reports. A leak report blames the leaves: a reference that a
 * nested count holds, while that count is itself in the report, is folded under it (VS Code drops a leak
 * whose parent leaks for the same reason) and shown as the chain `holds ref #2 of mm_count#1`.
 */

// How many still-held references a revocation line names before `and N more`.
const HELD_SHOWN = 5;

/** Whether `ref` is held by a nested count that is itself in the snapshot. */
function isFolded(ref: SnapshotRef, labels: ReadonlySet<string>): boolean {
	return ref.heldBy !== null && labels.has(ref.heldBy);
}

/** What is left of a site's references: how many, and their counts by object, stack and owner. */
export interface SiteRest {
	readonly refs: number;
	readonly collected: number;
	readonly oldest: number;
	readonly objects: ReadonlyMap<string, number>;
	readonly stacks: ReadonlyMap<number | null, number>;
	readonly owners: ReadonlyMap<string, number>;
}

/** `site` with only `rest` of its references, counted and signed again (null when none is left; `site` itself when all are). */
export function siteOf(site: SnapshotSite, rest: SiteRest, allStacks: Snapshot['stacks']): SnapshotSite | null {
	if (rest.refs === 0) return null;
	if (rest.refs === site.refs) return site;
	const objects = site.objects.map((o) => ({ ...o, refs: rest.objects.get(o.object) ?? 0 })).filter((o) => o.refs > 0);
	const stacks = site.stacks.map((s) => ({ ...s, refs: rest.stacks.get(s.stack) ?? 0 })).filter((s) => s.refs > 0);
	const owners = site.owners.map((o) => ({ ...o, refs: rest.owners.get(o.owner) ?? 0 })).filter((o) => o.refs > 0);
	objects.sort((a, b) => b.refs - a.refs);
	stacks.sort((a, b) => b.refs - a.refs);
	// The signature names what the site now shows: its first object and most frequent stack, as a snapshot's do.
	const top = stacks[0] === undefined ? [] : (allStacks[stacks[0].stack] ?? []);
	const signature = signatureOf('leak', objects[0]!.object, top);
	return { ...site, objects, stacks, owners, refs: rest.refs, collected: rest.collected, oldest: rest.oldest, signature };
}

function siteWithout(site: SnapshotSite, refs: readonly SnapshotRef[], allStacks: Snapshot['stacks']): SnapshotSite | null {
	if (refs.length === 0 || refs.length === site.refs) return siteOf(site, { refs: refs.length, collected: 0, oldest: 0, objects: new Map(), stacks: new Map(), owners: new Map() }, allStacks);
	// Counted in one pass each (a site of a list-mode process holds every reference).
	const tally = <K>(key: (r: SnapshotRef) => K): Map<K, number> => {
		const counts = new Map<K, number>();
		for (const ref of refs) counts.set(key(ref), (counts.get(key(ref)) ?? 0) + 1);
		return counts;
	};
	const collected = refs.filter((r) => r.collected).length;
	// Not Math.max(...ages): a spread of a few hundred thousand arguments throws a RangeError.
	const oldest = refs.reduce((max, r) => Math.max(max, r.age), -Infinity);
	return siteOf(site, { refs: refs.length, collected, oldest, objects: tally((r) => r.object), stacks: tally((r) => r.stack), owners: tally((r) => r.owner) }, allStacks);
}

/** Whether an object's references count in sites and totals: not those of an object revoked by its creator's loss (listed under the revoke only). */
export const counted = (object: SnapshotObject): boolean => object.revoked?.lost !== true;

/** The references of `snapshot` that count in its sites and totals. */
const countedRefs = (snapshot: Snapshot): SnapshotRef[] => snapshot.objects.filter(counted).flatMap((o) => o.refs);

/**
 * `snapshot` less the references `drop` accepts, in its sites and totals; in `objects` too when `dropObjects`
 * (otherwise `objects` is kept whole). A site that loses references is summed again, its signature included.
 */
export function withoutRefs(snapshot: Snapshot, drop: (ref: SnapshotRef) => boolean, dropObjects: boolean): Snapshot {
	const bySite = new Map<string | null, SnapshotRef[]>();
	let dropped = 0;
	let droppedCollected = 0;
	for (const ref of countedRefs(snapshot)) {
		if (drop(ref)) {
			dropped++;
			if (ref.collected) droppedCollected++;
			continue;
		}
		const list = bySite.get(ref.site) ?? [];
		list.push(ref);
		bySite.set(ref.site, list);
	}
	const sites = snapshot.sites.flatMap((s) => siteWithout(s, bySite.get(s.site) ?? [], snapshot.stacks) ?? []).sort((a, b) => b.refs - a.refs);
	const shown = new Set(sites.flatMap((s) => s.objects.map((o) => o.object)));
	const objects = dropObjects ? snapshot.objects.map((o) => (counted(o) ? { ...o, refs: o.refs.filter((r) => !drop(r)) } : o)).filter((o) => o.refs.length > 0) : snapshot.objects;
	const { totals } = snapshot;
	return { ...snapshot, objects, sites, totals: { objects: shown.size, refs: totals.refs - dropped, collected: totals.collected - droppedCollected, sites: sites.length } };
}

/**
 * The snapshot as a leak report shows it: the references held by nested counts that are themselves in it
 * taken out of the sites and totals (`objects` is kept whole, for the chains). @returns it and how many were folded.
 */
export function foldNested(snapshot: Snapshot): { readonly view: Snapshot; readonly folded: number } {
	const labels = new Set(snapshot.objects.map((o) => o.object));
	const folded = countedRefs(snapshot).filter((r) => isFolded(r, labels)).length;
	if (folded === 0) return { view: snapshot, folded: 0 };
	return { view: withoutRefs(snapshot, (r) => isFolded(r, labels), false), folded };
}

/**
 * `snapshot` (every reference kept) with each site's signature as the leak report shows it: of the site
 * folded, so that JSON and text name the same object. Only a site with references both folded and shown
 * changes (one whose references are all folded is not shown, and keeps its own): one pass finds them.
 */
export function withFoldedSignatures(snapshot: Snapshot): Snapshot {
	const labels = new Set(snapshot.objects.map((o) => o.object));
	const foldedAt = new Set<string | null>();
	const shown = new Map<string | null, SnapshotRef[]>();
	for (const ref of countedRefs(snapshot)) {
		if (isFolded(ref, labels)) foldedAt.add(ref.site);
		else {
			const list = shown.get(ref.site);
			if (list === undefined) shown.set(ref.site, [ref]);
			else list.push(ref);
		}
	}
	if (![...foldedAt].some((site) => shown.has(site))) return snapshot;
	const sites = snapshot.sites.map((s) => (foldedAt.has(s.site) && shown.has(s.site) ? { ...s, signature: siteWithout(s, shown.get(s.site)!, snapshot.stacks)!.signature! } : s));
	return { ...snapshot, sites };
}

/** ` (2 more held by nested counts, shown under them)`, or nothing; `listed`: whether the chains are printed. */
export function describeFolded(folded: number, listed = true): string {
	return folded === 0 ? '' : ` (${listed ? COUNTS.folded(folded) : COUNTS.foldedUnlisted(folded)})`;
}

/** `holds ref #2 of mm_count#1 (count 1), which holds ref #1 of mm_struct#1 (count 1)`: the chain above a nested count, or null. */
export function describeChain(object: SnapshotObject, byLabel: ReadonlyMap<string, SnapshotObject>): string | null {
	const links: string[] = [];
	const seen = new Set<SnapshotObject>();
	for (let current: SnapshotObject | undefined = object; current?.holds && !seen.has(current); current = byLabel.get(current.holds.object)) {
		seen.add(current);
		const parent = byLabel.get(current.holds.object);
		links.push(`${COUNTS.holds(current.holds.ref, safe(current.holds.object))}${parent === undefined ? '' : ` (count ${parent.count})`}`);
	}
	return links.length === 0 ? null : `${safe(object.object)} ${links.join(', which ')}`;
}

/** Lines for the revoked objects whose references taken before the revoke are still held. */
export function revokedLines(snapshot: Snapshot): string[] {
	const lines: string[] = [];
	for (const object of snapshot.objects) {
		const revoked = object.revoked;
		if (revoked === null || revoked.stillHeld.length === 0) continue;
		const site = revoked.site === null ? 'an unrecorded site' : safe(revoked.site);
		const reason = revoked.reason === null ? null : safe(revoked.reason);
		const owners = new Map(object.refs.map((r) => [r.ref, r.owner]));
		const named = revoked.stillHeld.slice(0, HELD_SHOWN).map((id) => {
			const owner = owners.get(id);
			return owner === undefined ? `ref #${id}` : `ref #${id} held by ${safe(owner)}`;
		});
		const more = revoked.stillHeld.length - named.length;
		const head = revoked.lost ? LOST.notGivenBack(safe(object.object), revoked.site === null ? null : site, reason, revoked.stillHeld.length) : COUNTS.stillHeld(safe(object.object), site, reason, revoked.stillHeld.length);
		lines.push(`  ${head} ${named.join(', ')}${more > 0 ? ` and ${plural(more, 'more')}` : ''}`);
	}
	return lines;
}
