import { clock } from './clock.js';
import type { Violation } from './errors.js';
import { host, type FileSink } from './platform/host.js';
import { endTime, liveRecords, observe, type Entry, type ObjectRecord } from './record.js';
import { claimReportName } from './report-name.js';
import { onConfigure, settings, type Settings } from './settings.js';
import { beginSlice, countEvent, endSlice, micros, moveFlow, nameEvent, violationEvent, VIOLATIONS_TID, type TraceEvent } from './trace-format.js';
import { traceNotWritten } from './wording.js';

/*
 * The timeline export: a consumer of the record that streams every event to a Trace Event Format file.
 * Events wait in a small batch (plain entries, never the application's objects) and are formatted and
 * written BATCH at a time, so memory stays bounded however long the run; the file is closed as valid
 * JSON at exit (normal end, process.exit, an uncaught exception) and, with the preload, when a stop
 * signal ends the process. Events past `traceMaxEvents` are dropped, and the file says so.
 */

const BATCH = 512;
const STRIDE = 4;

interface Trace {
	readonly template: string;
	readonly sink: FileSink;
	readonly path: string;
	readonly max: number;
	readonly stop: () => void;
	/** Pending events, STRIDE slots each: a code (b begin, e end, c count, v violation), the entry, record or error, a tick, and the object's count then. */
	readonly batch: (Entry | ObjectRecord | Violation | number | string)[];
	/** Each object's thread in this trace (a new trace names its objects' threads again). */
	readonly tids: WeakMap<ObjectRecord, number>;
	nextTid: number;
	/**
	 * The references whose slice this trace opened: one begun before the trace has its end left out. Weak,
	 * and only while the trace is under its cap (past it nothing more is formatted).
	 */
	readonly opened: WeakSet<Entry>;
	written: number;
	dropped: number;
	flows: number;
}

let trace: Trace | null = null;

/** Writes events (objects, or JSON already made) in one piece, up to the cap. */
function write(t: Trace, events: readonly (TraceEvent | string)[]): void {
	let text = '';
	for (const event of events) {
		if (t.written >= t.max) {
			t.dropped++;
			continue;
		}
		text += `${t.written === 0 ? '' : ',\n'}${typeof event === 'string' ? event : JSON.stringify(event)}`;
		t.written++;
	}
	if (text !== '') t.sink.write(text);
}

function tidOf(t: Trace, record: ObjectRecord, out: (TraceEvent | string)[], pid: number): number {
	let tid = t.tids.get(record);
	if (tid === undefined) {
		tid = t.nextTid++;
		t.tids.set(record, tid);
		out.push(nameEvent(pid, tid, 'thread_name', record.label));
	}
	return tid;
}

/** Formats and writes the waiting events. A write that fails ends the trace (closed as far as it got). */
function flush(t: Trace): void {
	const { batch } = t;
	if (t.written >= t.max) {
		// Past the cap nothing more is written: the events are only counted, not formatted.
		t.dropped += batch.length / STRIDE;
		batch.length = 0;
		return;
	}
	const { pid } = host();
	const out: (TraceEvent | string)[] = [];
	for (let i = 0; i < batch.length; i += STRIDE) {
		const code = batch[i];
		const ticks = batch[i + 2] as number;
		const count = batch[i + 3] as number;
		if (code === 'v') {
			out.push(violationEvent(pid, batch[i + 1] as Violation, ticks));
			continue;
		}
		if (code === 'c') {
			const record = batch[i + 1] as ObjectRecord;
			tidOf(t, record, out, pid);
			out.push(countEvent(pid, record, ticks, count));
			continue;
		}
		const entry = batch[i + 1] as Entry;
		const tid = tidOf(t, entry.record, out, pid);
		if (code === 'b') {
			t.opened.add(entry);
			out.push(beginSlice(pid, tid, entry));
			if (entry.origin !== 'move') out.push(countEvent(pid, entry.record, entry.time, count));
			continue;
		}
		const opened = t.opened.has(entry);
		if (opened) out.push(endSlice(pid, tid, entry));
		if (entry.end!.how === 'released') out.push(countEvent(pid, entry.record, endTime(entry.end!), count));
		if (opened && entry.end!.how === 'moved' && entry.end!.successor !== null) out.push(...moveFlow(pid, tid, entry, ++t.flows));
	}
	batch.length = 0;
	try {
		write(t, out);
	} catch (error) {
		host().warn(`reftrace stopped the trace ${t.path}: ${String(error)}`, 'REFTRACE_TRACE');
		close(t, false);
	}
}

function queue(t: Trace, code: string, item: Entry | ObjectRecord | Violation, ticks: number, count: number): void {
	t.batch.push(code, item, ticks, count);
	if (t.batch.length >= BATCH * STRIDE) flush(t);
}

/** Ends the slices of references still live as the trace ends, so that every slice the trace opened is closed. */
function closeLiveSlices(t: Trace): void {
	const now = micros(clock());
	const { pid } = host();
	const events: TraceEvent[] = [];
	for (const record of liveRecords) {
		const tid = t.tids.get(record);
		if (tid === undefined) continue;
		for (const entry of record.live()) {
			if (entry.end !== null || !t.opened.has(entry)) continue;
			events.push({ name: record.label, cat: 'ref', ph: 'e', id: entry.id, pid, tid, ts: now, args: { ref: entry.id, ended: 'live at the end of the trace' } });
		}
	}
	// They may take the trace past the cap by at most the live references: each closes a slice already written.
	for (const event of events) t.sink.write(`,\n${JSON.stringify(event)}`);
	t.written += events.length;
}

/** Ends the trace: the last events, a note when the cap was hit, and the closing of the JSON. */
function close(t: Trace, complete: boolean): void {
	if (trace === t) trace = null;
	t.stop();
	try {
		if (complete) flush(t);
		if (complete && t.dropped === 0) closeLiveSlices(t);
		if (t.dropped > 0) {
			const note = `reftrace: the trace stopped at traceMaxEvents (${t.max}); ${t.dropped} later record events were dropped`;
			t.sink.write(`,\n${JSON.stringify({ name: note, cat: 'reftrace', ph: 'i', s: 'g', pid: host().pid, tid: VIOLATIONS_TID, ts: micros(clock()) })}`);
		}
		const other = { reftrace: { events: t.written, dropped: t.dropped, maxEvents: t.max, ...(t.dropped > 0 ? { note: 'truncated at traceMaxEvents' } : {}) } };
		t.sink.write(`\n],\n"displayTimeUnit": "ms",\n"otherData": ${JSON.stringify(other)}}\n`);
	} catch {
		// The file cannot take more (a full disk): nothing else to do for it.
	}
	t.sink.close();
}

function open(template: string, max: number): void {
	const path = claimReportName(template);
	let sink: FileSink;
	try {
		sink = host().openFile(path);
		sink.write('{"traceEvents": [\n');
	} catch (error) {
		host().warn(traceNotWritten(path, error), 'REFTRACE_TRACE');
		return;
	}
	const batch: Trace['batch'] = [];
	const t: Trace = {
		template,
		tids: new WeakMap(),
		nextTid: VIOLATIONS_TID + 1,
		opened: new WeakSet(),
		sink,
		path,
		max,
		batch,
		written: 0,
		dropped: 0,
		flows: 0,
		stop: observe({
			// The object's count after each event, read from the record as it happens, so that a trace started
			// mid-run follows the real count from its first event. `begin` and `end` run before the count
			// changes: a track's one reference is counted already, an acquire adds one, a release takes one.
			begin: (entry) => queue(t, 'b', entry, entry.time, entry.origin === 'track' ? entry.record.count : entry.record.count + 1),
			end: (entry) => queue(t, 'e', entry, 0, entry.record.count - 1),
			count: (record) => queue(t, 'c', record, clock(), record.count),
			violation: (error) => queue(t, 'v', error, clock(), 0),
		}),
	};
	trace = t;
	const { pid, threadId } = host();
	write(t, [nameEvent(pid, 0, 'process_name', `reftrace pid ${pid}${threadId === 0 ? '' : ` thread ${threadId}`}`), nameEvent(pid, VIOLATIONS_TID, 'thread_name', 'violations and leaks')]);
}

function apply(config: Settings): void {
	if (trace !== null && trace.template !== config.trace) close(trace, true);
	if (config.trace !== null && trace === null) open(config.trace, config.traceMaxEvents);
}

let started = false;

/** Starts the trace when the settings ask for one, now and whenever `configure` changes them. Idempotent. */
export function traceWhenAsked(): void {
	if (started) return;
	started = true;
	host().onExit(() => {
		if (trace !== null) close(trace, true);
	});
	onConfigure(apply);
	apply(settings());
}

/** Closes the trace as valid JSON when a stop signal is about to end the process (the preload's signals). */
export function closeTraceOnStop(): void {
	host().onStopSignal((_signal, last) => {
		if (last && trace !== null) close(trace, true);
	});
}
