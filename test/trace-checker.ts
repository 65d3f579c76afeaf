/*
 * An independent reader of the Trace Event Format, written from its specification ("Trace Event Format",
 * the Google document Perfetto and chrome://tracing follow), not from reftrace's writer: the JSON Object
 * Format, the fields each phase requires, async begin/end pairs matched by category, id and name, and flow
 * starts before their finishes. Returns every problem found; an empty list means the trace is valid.
 *
 * Counters (`C`) must never go below zero (a reference count cannot). `real`, when given, maps a counter's
 * name to the values the program saw, in order: the counter must read exactly those (its first value is
 * the count at the trace's first event of that object, so a trace started mid-run must begin from it).
 */

type Json = Record<string, unknown>;

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'C', 'b', 'n', 'e', 'S', 'T', 'p', 'F', 's', 't', 'f', 'P', 'N', 'O', 'D', 'M', 'V', 'v', 'R', 'c', '(', ')']);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Problems in a trace file's text; [] when it is a valid trace. */
export function checkTrace(text: string, real: Readonly<Record<string, readonly number[]>> = {}): string[] {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		return [`not JSON: ${(error as Error).message}`];
	}
	const events = Array.isArray(data) ? data : (data as Json | null)?.['traceEvents'];
	if (!Array.isArray(events)) return ['no traceEvents array'];
	const problems: string[] = [];
	const open = new Map<string, number[]>();
	const flows = new Map<string, number>();
	const finishes: [string, number, number][] = [];
	const counters = new Map<string, number[]>();
	events.forEach((raw: unknown, index) => {
		const event = raw as Json;
		const at = `event ${index}`;
		if (typeof event !== 'object' || event === null) return problems.push(`${at}: not an object`);
		const ph = event['ph'];
		if (typeof ph !== 'string' || !PHASES.has(ph)) return problems.push(`${at}: unknown phase ${String(ph)}`);
		if (typeof event['name'] !== 'string') problems.push(`${at}: no name`);
		if (!isNumber(event['pid'])) problems.push(`${at}: no pid`);
		if (ph === 'M') {
			const args = event['args'] as Json | undefined;
			if (typeof args?.['name'] !== 'string' && args?.['sort_index'] === undefined) problems.push(`${at}: metadata without args.name`);
			if (event['name'] === 'thread_name' && !isNumber(event['tid'])) problems.push(`${at}: thread_name without tid`);
			return;
		}
		if (!isNumber(event['tid'])) problems.push(`${at}: no tid`);
		const ts = event['ts'];
		if (!isNumber(ts) || ts < 0) return problems.push(`${at}: no timestamp`);
		if (ph === 'X' && !isNumber(event['dur'])) problems.push(`${at}: complete event without dur`);
		if ((ph === 'i' || ph === 'I') && event['s'] !== undefined && !['g', 'p', 't'].includes(event['s'] as string)) problems.push(`${at}: bad instant scope`);
		if (ph === 'C') {
			const args = event['args'] as Json | undefined;
			if (typeof args !== 'object' || args === null || !Object.values(args).every(isNumber)) problems.push(`${at}: counter without numeric args`);
			else {
				for (const [series, value] of Object.entries(args)) if ((value as number) < 0) problems.push(`${at}: counter ${String(event['name'])} ${series} is negative (${String(value)})`);
				const name = String(event['name']);
				counters.set(name, [...(counters.get(name) ?? []), ...(Object.values(args) as number[])]);
			}
		}
		if ('bnesft'.includes(ph)) {
			if (event['id'] === undefined && event['id2'] === undefined) problems.push(`${at}: ${ph} without id`);
			if (ph !== 's' && ph !== 'f' && ph !== 't' && typeof event['cat'] !== 'string') problems.push(`${at}: async event without cat`);
		}
		const key = `${String(event['cat'])}\u0000${JSON.stringify(event['id'] ?? event['id2'])}\u0000${String(event['name'])}`;
		if (ph === 'b') open.set(key, [...(open.get(key) ?? []), ts]);
		if (ph === 'e') {
			const starts = open.get(key);
			const start = starts?.pop();
			if (start === undefined) problems.push(`${at}: async end without a begin (${key.replaceAll('\u0000', ' ')})`);
			else if (ts < start) problems.push(`${at}: async end before its begin`);
		}
		if (ph === 's') flows.set(key, ts);
		if (ph === 'f') {
			if (event['bp'] !== undefined && event['bp'] !== 'e') problems.push(`${at}: flow binding point ${String(event['bp'])}`);
			finishes.push([key, ts, index]);
		}
	});
	for (const [key, ts, index] of finishes) {
		const start = flows.get(key);
		if (start === undefined) problems.push(`event ${index}: flow finish without a start`);
		else if (ts < start) problems.push(`event ${index}: flow finishes before it starts`);
	}
	for (const [name, values] of Object.entries(real)) {
		const read = counters.get(name) ?? [];
		if (JSON.stringify(read) !== JSON.stringify(values)) problems.push(`counter ${name} reads [${read.join(', ')}], the real count was [${values.join(', ')}]`);
	}
	for (const [key, starts] of open) if (starts.length > 0) problems.push(`${starts.length} async begin(s) never ended: ${key.replaceAll('\u0000', ' ')}`);
	return problems;
}
