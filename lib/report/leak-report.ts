import type { Snapshot, SnapshotSite } from '../data.js';
import { LOST } from '../wording.js';
import { counted, describeChain, describeFolded, foldNested, revokedLines } from './chain.js';
import { escapeControls as safe } from './escape.js';
import { clip, formatAge, plural, stackLine } from './format.js';
import { plain, type Paint } from './paint.js';
import { signatureText, siteSignature } from './signature.js';

// How much of a snapshot a leak report shows before it says "... and N more".
const SITES = 10;
const OBJECTS_PER_SITE = 4;
const STACKS_PER_SITE = 3;
const OWNERS_PER_SITE = 5;

/** `session ×3, worker and 12 more owners`: the most frequent owners first. */
function describeOwners(owners: SnapshotSite['owners']): string {
	const shown = owners.slice(0, OWNERS_PER_SITE).map((o) => (o.refs === 1 ? safe(o.owner) : `${safe(o.owner)} ×${o.refs}`));
	const more = owners.length - OWNERS_PER_SITE;
	return `${shown.join(', ')}${more > 0 ? ` and ${plural(more, 'more owner')}` : ''}`;
}

// Every string the application or the disk supplied is escaped as it is printed (`safe`): only what is
// shown, so a report over a million references escapes a few dozen strings, not the whole snapshot.
function renderSite(snapshot: Snapshot, site: SnapshotSite, paint: Paint): string[] {
	const [first, ...others] = site.objects;
	if (first === undefined) return [];
	const where = site.site === null ? 'an unrecorded site (no stacks: list mode, not sampled, or not capturable here)' : paint.yellow(safe(site.site));
	const source = site.source === null ? '' : ` - ${clip(safe(site.source))}`;
	const lines = [`  ${paint.bold(`${safe(first.object)} has ${first.refs}/${first.count} refs`)} at ${where}${source}`];
	const shown = others.slice(0, OBJECTS_PER_SITE - 1);
	if (shown.length > 0) {
		const more = others.length - shown.length;
		const tail = more > 0 ? ` and ${plural(more, 'more object')}` : '';
		lines.push(`    also ${shown.map((o) => `${safe(o.object)} has ${o.refs}/${o.count}`).join(', ')}${tail}: ${plural(site.refs, 'ref')} in all here`);
	}
	const collected = site.collected > 0 ? paint.red(`; ${site.collected} collected while live`) : '';
	lines.push(`    owners: ${describeOwners(site.owners)}; oldest ${formatAge(site.oldest)}${collected}`);
	site.stacks.slice(0, STACKS_PER_SITE).forEach((entry, index) => {
		if (index > 0 || site.stacks.length > 1) lines.push(`    stack ${index + 1} of ${site.stacks.length} (${plural(entry.refs, 'ref')}):`);
		for (const frame of snapshot.stacks[entry.stack] ?? []) lines.push(stackLine(safe(frame), paint));
	});
	if (site.stacks.length > STACKS_PER_SITE) lines.push(`    ... and ${plural(site.stacks.length - STACKS_PER_SITE, 'more stack')}`);
	for (const { object } of site.objects.slice(0, OBJECTS_PER_SITE)) {
		const balance = snapshot.objects.find((o) => o.object === object)?.balance;
		if (balance === undefined) continue;
		lines.push(`    balance of ${safe(object)} (retains +, releases -, paths that cancel pruned):`);
		for (const line of balance) lines.push(`      ${safe(line)}`);
	}
	lines.push(`    ${signatureText(siteSignature(snapshot, site))}`);
	return lines;
}

/**
 * What a snapshot holds: `7 live refs to 3 objects from 2 sites`. References the garbage collector found
 * dropped are no longer live, though their count is never given back: they are counted apart,
 * `6 live refs and 1 collected while live, to ...`.
 */
function describeTotals(snapshot: Snapshot, unit: 'ref' | 'reference', folded = 0, listed = true): string {
	const { refs, objects, sites, collected } = snapshot.totals;
	const live = plural(refs - collected, `live ${unit}`);
	return `${collected === 0 ? live : `${live} and ${collected} collected while live,`} to ${plural(objects, 'object')} from ${plural(sites, 'site')}${describeFolded(folded, listed)}`;
}

/** How many violations a snapshot recaps, all kinds together. */
export function violationTotal(snapshot: Snapshot): number {
	return Object.values(snapshot.violations).reduce((sum, n) => sum + (n ?? 0), 0);
}

/** The violations line: `1 double-release, 2 use-after-release`, or null when there were none. */
function describeViolations(snapshot: Snapshot): string | null {
	const parts = Object.entries(snapshot.violations).map(([kind, n]) => `${n} ${kind}`);
	return parts.length === 0 ? null : parts.join(', ');
}

/**
 * Renders live references grouped by site, in the kernel's form `Conn#3 has 2/4 refs at <site>`,
 * with owners, ages and the distinct stacks under each site. `heading` opens the report. Control
 * characters in what it prints are escaped.
 */
export function renderLeakGroups(snapshot: Snapshot, heading: string, paint: Paint): string[] {
	const lines = [heading];
	const byLabel = new Map(snapshot.objects.map((o) => [o.object, o]));
	const chained = new Set<string>();
	for (const site of snapshot.sites.slice(0, SITES)) {
		lines.push(...renderSite(snapshot, site, paint));
		// A nested count's chain, once, under the first site that lists it.
		for (const { object } of site.objects.slice(0, OBJECTS_PER_SITE)) {
			const chain = chained.has(object) ? null : describeChain(byLabel.get(object)!, byLabel);
			chained.add(object);
			if (chain !== null) lines.push(`    ${chain}`);
		}
	}
	const hidden = snapshot.sites.slice(SITES);
	if (hidden.length > 0) {
		const refs = hidden.reduce((sum, s) => sum + s.refs, 0);
		lines.push(`  ... and ${plural(hidden.length, 'more site')} with ${plural(refs, 'ref')}`);
	}
	lines.push(...revokedLines(snapshot));
	return lines;
}

// Long-lived references listed per reference at most this many; the rest are counted.
const LONG_LIVED = 10;

/** References meant to live until exit, listed apart: they are not leaks. */
function describeLongLived(snapshot: Snapshot): string[] {
	const refs = snapshot.longLived ?? [];
	if (refs.length === 0) return [];
	const lines = [`  expected to live until exit (not leaks): ${plural(refs.length, 'reference')}`];
	for (const ref of refs.slice(0, LONG_LIVED)) {
		lines.push(`    ${safe(ref.object)} ref #${ref.ref} owned by ${safe(ref.owner)}${ref.site === null ? '' : ` at ${safe(ref.site)}`}`);
	}
	if (refs.length > LONG_LIVED) lines.push(`    ... and ${plural(refs.length - LONG_LIVED, 'more')}`);
	return lines;
}

/** The references of objects revoked by their creator's loss: listed, not counted in the totals. */
function lostRefs(snapshot: Snapshot): number {
	return snapshot.objects.reduce((sum, o) => sum + (counted(o) ? 0 : o.refs.length), 0);
}

/**
 * The report printed at exit (and by `renderSnapshot`): grouped live references, violations, and a
 * one-line summary. `at` names the moment when it is not the end of the process (`SIGINT`: the
 * application's own listeners still run and may release more).
 */
export function renderExitReport(whole: Snapshot, paint: Paint, at: string | null = null): string {
	const { view, folded } = foldNested(whole);
	return renderFoldedExitReport(view, folded, paint, at);
}

/** `renderExitReport` of a snapshot already folded (`foldNested`): `folded` references were left out of it. */
export function renderFoldedExitReport(snapshot: Snapshot, folded: number, paint: Paint, at: string | null = null): string {
	const violations = describeViolations(snapshot);
	const when = at === null ? '' : ` at ${at}`;
	if (snapshot.totals.refs === 0) {
		const lost = lostRefs(snapshot);
		const line = `reftrace: no live references${when}${lost === 0 ? '' : LOST.none(lost)}${violations === null ? '' : `; violations reported: ${violations}`}`;
		return [line, ...revokedLines(snapshot), ...describeLongLived(snapshot), ...recapLines(snapshot, paint)].join('\n');
	}
	const lines = renderLeakGroups(snapshot, `${paint.red(paint.bold(`reftrace: leak report${when}:`))} ${describeTotals(snapshot, 'ref', folded)}`, paint);
	if (violations !== null) lines.push(`  violations reported: ${violations}`);
	lines.push(...describeLongLived(snapshot));
	lines.push(...recapLines(snapshot, paint));
	lines.push(paint.bold(summaryLine(snapshot, folded)));
	return lines.join('\n');
}

/**
 * `SUMMARY: reftrace: 2 live references to 1 object from 1 site; 1 violation`: LeakSanitizer's last line.
 * `listed`: whether the nested counts' chains are printed above it.
 */
export function summaryLine(whole: Snapshot, folded?: number, listed = true): string {
	// A snapshot whose nested counts are not folded yet is folded here, so every SUMMARY counts alike.
	const { view, folded: count } = folded === undefined ? foldNested(whole) : { view: whole, folded };
	return `SUMMARY: reftrace: ${describeTotals(view, 'reference', count, listed)}; ${plural(violationTotal(view), 'violation')}`;
}

/** Lines after a report's groups: the signatures of the violations reported, then what the suppression rules did (each unused rule warned about). */
export function recapLines(snapshot: Snapshot, paint: Paint): string[] {
	const lines = (snapshot.signatures ?? []).map((s) => `  ${s.count}× ${signatureText(s)}`);
	const suppressed = Object.entries(snapshot.suppressed ?? {}).map(([kind, n]) => `${n} ${kind}`);
	if (suppressed.length > 0) lines.push(`  suppressed: ${suppressed.join(', ')}`);
	for (const use of snapshot.suppressions ?? []) {
		const rule = `${safe(use.rule)} (${safe(use.origin)})`;
		lines.push(use.used > 0 ? `    ${rule} used ${plural(use.used, 'time')}` : paint.yellow(`  warning: suppression rule ${rule} matched nothing`));
	}
	return lines;
}

/** The live dump printed on demand (`asked`: SIGUSR2, or the browser's `reftrace.dump()`): every live reference, grouped by site. */
export function renderDump(whole: Snapshot, paint: Paint, asked = 'SIGUSR2'): string {
	const { view, folded } = foldNested(whole);
	return renderFoldedDump(view, folded, paint, asked);
}

/** `renderDump` of a snapshot already folded (`foldNested`): `folded` references were left out of it. */
export function renderFoldedDump(view: Snapshot, folded: number, paint: Paint, asked = 'SIGUSR2'): string {
	return renderLeakGroups(view, `${paint.bold(`reftrace: live references (${asked}):`)} ${describeTotals(view, 'ref', folded)}`, paint).join('\n');
}

/**
 * Renders a snapshot as the same text the exit report prints, without colour.
 * @example process.stdout.write(`${renderSnapshot(snapshot())}\n`);
 */
export function renderSnapshot(snapshot: Snapshot): string {
	return renderExitReport(snapshot, plain);
}
