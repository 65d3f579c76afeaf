import { MERGE_SCHEMA, type MergedReport, type MergedSite, type SignatureCount, type Snapshot, type ViolationKind } from '../data.js';
import { describeFolded, foldNested } from './chain.js';
import { escapeControls as safe } from './escape.js';
import { clip, plural, stackLine } from './format.js';
import type { Paint } from './paint.js';
import { signatureText, siteSignature } from './signature.js';

/*
 * Many reports in one (processes of a service, shards of a CI run), grouped by site, with how many of the
 * reports saw each: the site seen in every shard is a different bug from the one seen once.
 */

interface SiteBuilder {
	site: Omit<MergedSite, 'owners' | 'processes' | 'objects'>;
	owners: Map<string, number>;
	objects: string[];
	seenIn: Set<number>;
}

function sum<K extends string>(into: Partial<Record<K, number>>, counts: Partial<Record<K, number>>): void {
	for (const [key, n] of Object.entries(counts) as [K, number][]) into[key] = (into[key] ?? 0) + n;
}

/** Merges reports read from `files` (same order): sites by `file:line:column` (or by signature without one). */
export function mergeSnapshots(reports: readonly { readonly file: string; readonly data: Snapshot }[]): MergedReport {
	const sites = new Map<string, SiteBuilder>();
	const signatures = new Map<string, SignatureCount & { processes: number }>();
	const violations: Partial<Record<ViolationKind, number>> = {};
	const suppressed: Partial<Record<ViolationKind, number>> = {};
	let folded = 0;
	reports.forEach(({ data: whole }, index) => {
		// Each report as its exit report counted it: references held by nested counts folded under them.
		const { view: data, folded: held } = foldNested(whole);
		folded += held;
		for (const site of data.sites) {
			const signature = siteSignature(data, site);
			const key = site.site ?? `signature ${signature.hash}`;
			let builder = sites.get(key);
			if (builder === undefined) {
				const stack = site.stacks[0] === undefined ? [] : (data.stacks[site.stacks[0].stack] ?? []);
				builder = { site: { site: site.site, source: site.source, signature, refs: 0, collected: 0, stack }, owners: new Map(), objects: [], seenIn: new Set() };
				sites.set(key, builder);
			}
			builder.site = { ...builder.site, refs: builder.site.refs + site.refs, collected: builder.site.collected + site.collected };
			for (const { owner, refs } of site.owners) builder.owners.set(owner, (builder.owners.get(owner) ?? 0) + refs);
			builder.objects.push(...site.objects.map((o) => o.object));
			builder.seenIn.add(index);
		}
		for (const s of data.signatures ?? []) {
			const known = signatures.get(s.hash);
			signatures.set(s.hash, { ...s, count: (known?.count ?? 0) + s.count, processes: (known?.processes ?? 0) + 1 });
		}
		sum(violations, data.violations);
		sum(suppressed, data.suppressed ?? {});
	});
	const siteList: MergedSite[] = [...sites.values()]
		.map((b) => ({
			...b.site,
			processes: b.seenIn.size,
			objects: b.objects,
			owners: [...b.owners].sort((x, y) => y[1] - x[1]).map(([owner, refs]) => ({ owner, refs })),
		}))
		.sort((a, b) => b.refs - a.refs || b.processes - a.processes);
	const refs = siteList.reduce((n, s) => n + s.refs, 0);
	return {
		schema: MERGE_SCHEMA,
		reports: reports.map(({ file, data }) => ({ file, pid: data.pid, threadId: data.threadId, time: data.time })),
		totals: { refs, collected: siteList.reduce((n, s) => n + s.collected, 0), sites: siteList.length, folded },
		sites: siteList,
		violations,
		signatures: [...signatures.values()].sort((a, b) => b.count - a.count),
		suppressed,
	};
}

const SITES = 20;

/** The merged report as text: each site with its references, how many reports saw it, its owners, stack and signature. */
export function renderMerged(merged: MergedReport, paint: Paint): string {
	const of = merged.reports.length;
	const { refs, sites, folded } = merged.totals;
	const lines = [paint.bold(`reftrace merge: ${plural(refs, 'reference')} from ${plural(sites, 'site')} in ${plural(of, 'report')}${describeFolded(folded, false)}`)];
	for (const site of merged.sites.slice(0, SITES)) {
		const where = site.site === null ? 'an unrecorded site (list mode keeps no stacks)' : paint.yellow(safe(site.site));
		lines.push(`  ${where}${site.source === null ? '' : ` - ${clip(safe(site.source))}`}`);
		const collected = site.collected > 0 ? paint.red(`, ${site.collected} collected while live`) : '';
		const owners = site.owners.slice(0, 5).map((o) => `${safe(o.owner)} ×${o.refs}`).join(', ');
		lines.push(`    ${plural(site.refs, 'ref')} in ${site.processes} of ${plural(of, 'report')}${collected}; owners ${owners}`);
		for (const frame of site.stack) lines.push(stackLine(safe(frame), paint));
		lines.push(`    ${signatureText(site.signature)}`);
	}
	if (merged.sites.length > SITES) lines.push(`  ... and ${plural(merged.sites.length - SITES, 'more site')}`);
	const violations = Object.entries(merged.violations).map(([kind, n]) => `${n} ${kind}`);
	if (violations.length > 0) lines.push(`  violations reported: ${violations.join(', ')}`);
	for (const s of merged.signatures) lines.push(`  ${s.count}× (${s.processes} of ${plural(of, 'report')}) ${signatureText(s)}`);
	const suppressed = Object.entries(merged.suppressed).map(([kind, n]) => `${n} ${kind}`);
	if (suppressed.length > 0) lines.push(`  suppressed: ${suppressed.join(', ')}`);
	return lines.join('\n');
}
