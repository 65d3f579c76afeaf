import { milliseconds } from './clock.js';
import type { Violation } from './errors.js';
import { beginEvent, endEvent } from './events.js';
import { endTime, type Entry, type ObjectRecord } from './record.js';
import { reportSignatures } from './report/signature.js';

/*
 * Record events as Trace Event Format events (the JSON that Perfetto and chrome://tracing read): each
 * reference an async slice (`b`/`e`, id = the ref's id) named after its object, so that an object's
 * references share one track; a move a flow (`s`/`f`) from the slice it ends to the one it begins; the
 * count a counter (`C`); violations and collected leaks instant events (`i`) on a thread of their own.
 */

/** One event of the format; `ts` in microseconds. */
export type TraceEvent = Readonly<Record<string, unknown>>;

/** Thread of the violation and leak markers; objects' threads are numbered from 2. */
export const VIOLATIONS_TID = 1;

/** Ticks to the format's microseconds. */
export const micros = (ticks: number): number => Math.round(milliseconds(ticks) * 1000);

/** Metadata: names a process or thread (`ph: M`). */
export function nameEvent(pid: number, tid: number, kind: 'process_name' | 'thread_name', name: string): TraceEvent {
	return { name: kind, ph: 'M', pid, tid, args: { name } };
}

// The site and stack of an event as JSON, by the resolved frames (one array per interned stack): a site
// taken a million times is written from one string, not stringified a million times.
const placeJson = new WeakMap<readonly string[], string>();

function place(site: string | null, stack: readonly string[]): string {
	let json = placeJson.get(stack);
	if (json === undefined) {
		json = `"site":${JSON.stringify(site)},"stack":${JSON.stringify(stack)}`;
		placeJson.set(stack, json);
	}
	return json;
}

/** The `b` that opens a reference's slice (as JSON), with owner, how it began and its source-mapped site and stack. */
export function beginSlice(pid: number, tid: number, entry: Entry): string {
	const event = beginEvent(entry);
	const head = `{"name":${JSON.stringify(entry.record.label)},"cat":"ref","ph":"b","id":${entry.id},"pid":${pid},"tid":${tid},"ts":${micros(entry.time)}`;
	return `${head},"args":{"ref":${entry.id},"owner":${JSON.stringify(event.owner)},"origin":"${event.op}",${place(event.site, event.stack)}}}`;
}

/** The `e` that closes a reference's slice (as JSON: released, moved or leaked), with the ending's site. */
export function endSlice(pid: number, tid: number, entry: Entry): string {
	const event = endEvent(entry)!;
	const head = `{"name":${JSON.stringify(entry.record.label)},"cat":"ref","ph":"e","id":${entry.id},"pid":${pid},"tid":${tid},"ts":${micros(endTime(entry.end!))}`;
	return `${head},"args":{"ref":${entry.id},"ended":"${entry.end!.how}",${place(event.site, event.stack)}}}`;
}

/**
 * The arrow of a move, at the moment the successor began: the moved reference's slice is still open
 * then (it ends a few microseconds later), so the arrow leaves it and enters the successor's.
 */
export function moveFlow(pid: number, tid: number, entry: Entry, flowId: number): TraceEvent[] {
	const successor = entry.end!.successor!;
	const name = `move ref #${entry.id} → ref #${successor.id}`;
	return [
		{ name, cat: 'move', ph: 's', id: flowId, pid, tid, ts: micros(successor.time), args: { from: entry.id, to: successor.id } },
		{ name, cat: 'move', ph: 'f', bp: 'e', id: flowId, pid, tid, ts: micros(successor.time), args: { from: entry.id, to: successor.id } },
	];
}

/** The object's count after an event (`C`, as JSON), one counter track per object. */
export function countEvent(pid: number, record: ObjectRecord, ticks: number, count: number): string {
	return `{"name":${JSON.stringify(`${record.label} count`)},"ph":"C","pid":${pid},"tid":0,"ts":${micros(ticks)},"args":{"count":${count}}}`;
}

/** An instant marker for a violation or a collected leak: kind, culprit's site, earlier sites, signature. */
export function violationEvent(pid: number, error: Violation, ticks: number): TraceEvent {
	const signature = reportSignatures(error)[0] ?? null;
	const common = { kind: error.kind, summary: error.summary, signature: signature === null ? null : `${signature.hash}\t${signature.line}` };
	const args =
		error.kind === 'leak'
			? { ...common, object: error.leaks.objects[0]?.object ?? null, taken: error.taken === null ? null : { ref: error.taken.ref, owner: error.taken.owner, site: error.taken.site, stack: error.taken.stack } }
			: {
					...common,
					object: error.object,
					culprit: { ref: error.culprit.ref, owner: error.culprit.owner, site: error.culprit.site, stack: error.culprit.stack },
					earlier: error.earlier.map(({ title, event }) => ({ title, owner: event.owner, site: event.site })),
				};
	return { name: error.kind, cat: 'violation', ph: 'i', s: 't', pid, tid: VIOLATIONS_TID, ts: micros(ticks), args };
}
