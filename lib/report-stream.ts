import { clock, epochMilliseconds, milliseconds } from './clock.js';
import { SNAPSHOT_SCHEMA, type Snapshot, type SnapshotObject, type SnapshotRef, type SnapshotSite } from './data.js';
import { isLongLived } from './expected-refs.js';
import { host, type ReportSink } from './platform/host.js';
import { liveRecords, type Entry, type ObjectRecord } from './record.js';
import { siteOf, type SiteRest } from './report/chain.js';
import { chunked, pieces, whole } from './report/json.js';
import { headOf, siteList, tailOf, walkRefs, type RefSink, type SiteTable, type Tally, type Walked } from './snapshot-walk.js';
import { processTables } from './snapshot.js';

/*
 * The reports of every live reference (the exit report, REFTRACE_REPORT, the SIGUSR2 dump and its file),
 * made in one pass over the records and never through a whole `Snapshot`: each reference is written to the
 * JSON file as it is read and then forgotten, and the text is made from the walk's tables. The JSON
 * document lists `objects` first and the tables after them (`sites`, `stacks`, then `totals`), since they
 * are known only at the end: the same content as `snapshot()`, in another order of keys.
 */

/** What the text reports need of a pass over the live references. */
export interface LiveReport {
	/** Every reference read, folded ones included (the JSON report's totals). */
	readonly totals: Snapshot['totals'];
	/**
	 * The references as the text shows them: sites and totals with the references held by nested counts that
	 * are themselves listed left out. Its `objects` are only those the text names (nested counts and the
	 * counts they hold, balance trees, revocations), without references but a revocation's still-held ones.
	 */
	readonly view: Snapshot;
	/** How many references were left out of `view` as held by nested counts. */
	readonly folded: number;
}

const foldedTallies = (table: SiteTable, holders: ReadonlySet<string>): Tally[] => (table.held === null ? [] : [...table.held].filter(([label]) => holders.has(label)).map(([, tally]) => tally));

/** What is left of a site once `folded` (tallies of references nested counts hold) is taken away. */
function rest(table: SiteTable, folded: readonly Tally[], holders: ReadonlySet<string>): SiteRest {
	const minus = <K>(all: ReadonlyMap<K, number>, part: (tally: Tally) => ReadonlyMap<K, number>): Map<K, number> => {
		const left = new Map(all);
		for (const tally of folded) for (const [key, n] of part(tally)) left.set(key, left.get(key)! - n);
		return left;
	};
	let oldest = table.freeOldest;
	for (const [label, tally] of table.held ?? []) if (!holders.has(label)) oldest = Math.max(oldest, tally.oldest);
	const objects = new Map([...table.objects].map(([label, o]) => [label, o.refs]));
	return {
		refs: folded.reduce((n, t) => n - t.refs, table.refs),
		collected: folded.reduce((n, t) => n - t.collected, table.collected),
		oldest,
		objects: minus(objects, (t) => t.objects),
		stacks: minus(table.stacks, (t) => t.stacks),
		owners: minus(table.owners, (t) => t.owners),
	};
}

/** The sites of the JSON report: `siteList`, with each site that has references both folded and shown signed as the text shows it. */
function jsonSites(walked: Walked): SnapshotSite[] {
	const sites = siteList(walked);
	if (!walked.nested) return sites;
	return sites.map((site) => {
		const table = walked.sites.get(site.site)!;
		const folded = foldedTallies(table, walked.holders);
		if (folded.length === 0) return site;
		const shown = siteOf(site, rest(table, folded, walked.holders), walked.stacks);
		return shown === null ? site : { ...site, signature: shown.signature! };
	});
}

/** Whether `record` has a reference the report lists. */
const listed = (record: ObjectRecord, accepts: (entry: Entry) => boolean): boolean => liveRecords.has(record) && record.live().some((e) => accepts(e) && !isLongLived(e));

/** The text's view of a walk (see `LiveReport`). `kept`: the objects the text names, as the walk met them. */
function viewOf(walked: Walked, sites: readonly SnapshotSite[], kept: SnapshotObject[], keptRecords: ObjectRecord[], accepts: (entry: Entry) => boolean): LiveReport {
	// A nested count's chain names the count it holds, with its count, when that one is listed too.
	const names = new Set(kept.map((o) => o.object));
	for (const record of keptRecords) {
		const parent = record.holds?.record;
		if (parent === undefined || names.has(parent.label) || !listed(parent, accepts)) continue;
		names.add(parent.label);
		kept.push({ ...headOf(parent), refs: [], ...tailOf(parent) });
	}
	const totals = { objects: walked.objects, refs: walked.refs, collected: walked.collected, sites: sites.length };
	let folded = 0;
	let foldedCollected = 0;
	const shown: SnapshotSite[] = [];
	for (const site of sites) {
		const table = walked.sites.get(site.site)!;
		const tallies = foldedTallies(table, walked.holders);
		for (const tally of tallies) {
			folded += tally.refs;
			foldedCollected += tally.collected;
		}
		const left = tallies.length === 0 ? site : siteOf(site, rest(table, tallies, walked.holders), walked.stacks);
		if (left !== null) shown.push(left);
	}
	shown.sort((a, b) => b.refs - a.refs);
	const { pid, threadId } = host();
	const view: Snapshot = {
		schema: SNAPSHOT_SCHEMA,
		pid,
		threadId,
		time: epochMilliseconds(walked.start),
		totals:
			folded === 0
				? totals
				: { objects: new Set(shown.flatMap((s) => s.objects.map((o) => o.object))).size, refs: walked.refs - folded, collected: walked.collected - foldedCollected, sites: shown.length },
		objects: kept,
		sites: folded === 0 ? sites : shown,
		stacks: walked.stacks,
		...processTables(),
		longLived: walked.longLived,
	};
	return { totals, view, folded };
}

const [I1, I2, I3, I4] = ['  ', '    ', '      ', '        '];

// References read between two pieces of the JSON text (about 70 KB of it) and two looks at the clock. Small,
// so that the text dies young: gathered over 10,000 references, the pieces of a synchronous report lived
// long enough to be promoted, and the exit report's peak RSS was twice the whole snapshot's.
const STEP = 256;

/** `,\n  "key": value` for each member: the rest of a pretty-printed object at `indent`. */
function* members(value: object, indent: string): Generator<string> {
	for (const [key, item] of Object.entries(value)) {
		if (item === undefined) continue;
		yield `,\n${indent}${JSON.stringify(key)}: `;
		yield* pieces(item, indent);
	}
}

/**
 * One pass over `groups`: the JSON report's text in pieces while `text.json` (STEP references a piece, the tables
 * after them in pieces of about 64 KB), and null at each pause, once `budget` ms have passed since the last,
 * where the caller may let the event loop run. @returns what the text reports need.
 */
function* reportPieces(groups: Iterable<readonly [ObjectRecord, readonly Entry[]]>, accepts: (entry: Entry) => boolean, text: { json: boolean }, budget: number): Generator<string | null, LiveReport, undefined> {
	const start = clock();
	const out: string[] = [];
	const kept: SnapshotObject[] = [];
	const keptRecords: ObjectRecord[] = [];
	let revokedRefs: SnapshotRef[] = [];
	let objects = 0;
	let refs = 0;
	const sink: RefSink = {
		ref(record, ref, first) {
			if (first) revokedRefs = [];
			if (record.gate?.revoked) revokedRefs.push(ref);
			if (!text.json) return;
			if (first) {
				const head = headOf(record);
				out.push(`${objects++ === 0 ? '' : ','}\n${I2}{\n${I3}"object": ${JSON.stringify(head.object)},\n${I3}"name": ${JSON.stringify(head.name)},\n${I3}"mode": ${JSON.stringify(head.mode)},\n${I3}"count": ${head.count},\n${I3}"refs": [`);
				refs = 0;
			}
			out.push(`${refs++ === 0 ? '' : ','}\n${I4}${whole(ref, I4)}`);
		},
		object(record, head, tail) {
			if (text.json) out.push(`\n${I3}]`, ...members(tail, I3), `\n${I2}}`);
			if (tail.holds === null && tail.revoked === null && tail.balance === undefined) return;
			const stillHeld = new Set(tail.revoked?.stillHeld);
			kept.push({ ...head, refs: revokedRefs.filter((r) => stillHeld.has(r.ref)), ...tail });
			keptRecords.push(record);
		},
	};
	const { pid, threadId } = host();
	if (text.json) out.push(`{\n${I1}"schema": ${JSON.stringify(SNAPSHOT_SCHEMA)},\n${I1}"pid": ${pid},\n${I1}"threadId": ${threadId},\n${I1}"time": ${epochMilliseconds(start)},\n${I1}"objects": [`);
	const steps = walkRefs(groups, sink, STEP, start);
	let walked: Walked;
	let sliceStart = start;
	for (;;) {
		const step = steps.next();
		if (out.length > 0) yield out.splice(0).join('');
		if (step.done === true) {
			walked = step.value;
			break;
		}
		if (milliseconds(clock() - sliceStart) >= budget) {
			yield null;
			sliceStart = clock();
		}
	}
	const sites = jsonSites(walked);
	const report = viewOf(walked, sites, kept, keptRecords, accepts);
	if (!text.json) return report;
	const tables = { sites, stacks: walked.stacks, totals: report.totals, ...processTables(), longLived: walked.longLived };
	yield* chunked(
		(function* end() {
			yield objects === 0 ? ']' : `\n${I1}]`;
			yield* members(tables, I1);
			yield '\n}\n';
		})(),
	);
	return report;
}

function* records(accepts: (entry: Entry) => boolean): Generator<readonly [ObjectRecord, readonly Entry[]]> {
	for (const record of liveRecords) yield [record, record.live().filter(accepts)];
}

/**
 * Reads the live references `accepts` takes once, synchronously: hands the JSON report to `write` in
 * pieces as they are read, when given, and returns what the text report needs. A `write` that throws
 * stops the file, not the report: the walk is finished (without making more JSON) and the error returned
 * as `failure`. What the walk itself throws is thrown.
 */
export function liveReport(accepts: (entry: Entry) => boolean, write: ((chunks: Iterable<string>) => void) | null): { readonly report: LiveReport; readonly failure: unknown } {
	const text = { json: write !== null };
	const steps = reportPieces(records(accepts), accepts, text, Infinity);
	let report: LiveReport | undefined;
	let walkFailed = false;
	const next = (): string | null | undefined => {
		try {
			const step = steps.next();
			if (step.done === true) report = step.value;
			return step.done === true ? undefined : step.value;
		} catch (error) {
			walkFailed = true;
			throw error;
		}
	};
	let failure: unknown = null;
	if (write !== null) {
		try {
			write(
				(function* chunks() {
					for (let piece = next(); piece !== undefined; piece = next()) if (piece !== null) yield piece;
				})(),
			);
		} catch (error) {
			if (walkFailed) throw error;
			failure = error;
			text.json = false;
		}
	}
	while (report === undefined) next();
	return { report, failure };
}

/**
 * Reads every live reference, a slice at a time with `pause()` awaited in between (a slice ends after
 * `budget` ms), writing the JSON dump into `file` as it goes when given. Each object's references are
 * those live when the dump reached it: what is taken or given back meanwhile may or may not be in it,
 * and no reference is read twice. A file that fails is aborted, the walk goes on; the error is returned.
 */
export async function gatherReport(file: ReportSink | null, pause: () => Promise<void>, budget = 20): Promise<{ readonly report: LiveReport; readonly failure: unknown }> {
	const all = (): boolean => true;
	const text = { json: file !== null };
	const steps = reportPieces(records(all), all, text, budget);
	let failure: unknown = null;
	let writing = file;
	const stopWriting = (error: unknown): void => {
		writing?.abort();
		writing = null;
		text.json = false;
		failure = error;
	};
	try {
		for (;;) {
			const step = steps.next();
			if (step.done === true) {
				if (writing !== null) {
					try {
						writing.commit();
					} catch (error) {
						stopWriting(error);
					}
				}
				return { report: step.value, failure };
			}
			if (step.value === null) await pause();
			else if (writing !== null) {
				try {
					writing.write(step.value);
				} catch (error) {
					stopWriting(error);
				}
			}
		}
	} catch (error) {
		// The walk failed: no half-written file is left behind.
		writing?.abort();
		throw error;
	}
}
