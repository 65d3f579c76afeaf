/*
 * Times are kept as whole ticks of 10 µs, and reference ids as whole numbers: small integers that V8
 * stores inline in an object's field, where anything larger costs a 16-byte box. The largest is 2^31 - 1
 * in Node's V8, but 2^30 - 1 where V8 compresses pointers (Chrome, Edge, Electron). A process runs past
 * 2^31 ticks in six hours and, at 100,000 references a second, past 2^31 ids as soon, so what the record
 * stores is counted from the start of an *era* rather than from the start of the process: a new era begins
 * when either count reaches the era's span within the current one. Whatever stores such a value
 * stores its era with it (an entry, an ending, a quarantine), and turns it back into the process-wide value
 * only when it is read for a report. bench/notes.md ("Reference ids and times past 2^31") has the figures.
 */
const TICKS_PER_MS = 100;
// What an era's counts may reach before the next begins: half the smallest small-integer range (2^30 - 1,
// pointers compressed). The other half is slack, for the few ids taken after the count passed it and
// before the next stamp starts an era, and room for the quarantine's doubled times (record.ts). An era
// lasts 2^29 ticks (an hour and a half) or 2^29 references, whichever comes first.
let eraSpan = 2 ** 29;
// `performance` is a global in every runtime reftrace supports; in Node it is an accessor on the global
// object, and reading it on every event cost a list-mode acquire+release pair about 350 instructions.
const timer = globalThis.performance;

// The eras begun so far: the process-wide id and tick each counts from (two numbers an era: at most 16 a
// day, or more when references come faster than 2^29 in an hour and a half).
const idBases: number[] = [0];
const tickBases: number[] = [0];
/** The era `eventClock` and `takeId` count from now. */
export let era = 0;
// Added to the timer's ticks: zero, but for `skipAhead`. The era's start as the timer counts it is `timerBase`.
let offset = 0;
let timerBase = 0;
// Ids given in the current era; the next era is due once it reaches the span, and then begins at the next
// reading of the timer (the time held for the task is let go of, so that the next stamp reads it).
let eraIds = 0;
let eraDue = false;

/** Now, in ticks since the process started. */
export function clock(): number {
	return Math.round(timer.now() * TICKS_PER_MS) + offset;
}

/** Ticks to milliseconds. */
export function milliseconds(ticks: number): number {
	return ticks / TICKS_PER_MS;
}

/** Ticks to milliseconds since the Unix epoch, as reports and snapshots give times. */
export function epochMilliseconds(ticks: number): number {
	return timer.timeOrigin + ticks / TICKS_PER_MS;
}

/*
 * The time of the record's events. Reading the timer was 44% of a list-mode pair taken and given back in
 * one task, so a consumer that already has a microtask queued for the end of the current task (the GC leak
 * detector, after a reference begins) may hold the time it read: the task's later events share it, until
 * that microtask lets it go. A microtask of its own just for this would cost more than the reading it saves
 * when a task has one event (bench/notes.md), so without a holder every event reads the timer.
 */
let heldTime = -1;

/**
 * Now as the record stamps its events, in ticks counted from the start of the current era (`era`):
 * the time held for the current task, else the timer. The only place an era begins, so that an entry
 * stamped here and given its id (`takeId`) right after has both counted from one era.
 */
export function eventClock(): number {
	// The held time, or a call: the hot path stays small enough to be inlined where events are stamped.
	return heldTime >= 0 ? heldTime : readClock();
}

function readClock(): number {
	// `| 0`: the difference of two numbers one of which is not a small integer (the era's start, after six
	// hours) is a boxed number in V8 even when it is whole, and stored so it would box the field.
	const ticks = Math.round(timer.now() * TICKS_PER_MS) - timerBase;
	if (ticks < eraSpan && !eraDue) return ticks | 0;
	beginEra();
	return (Math.round(timer.now() * TICKS_PER_MS) - timerBase) | 0;
}

/** Stamps the current task's later events with `ticks` (of the current era); the caller must call `releaseTime` at the task's end. */
export function holdTime(ticks: number): void {
	heldTime = ticks;
}

/** Events read the timer again. */
export function releaseTime(): void {
	heldTime = -1;
}

/** A new reference id, counted from the start of the current era; call `eventClock` first. */
export function takeId(): number {
	const id = ++eraIds;
	if (id >= eraSpan) {
		eraDue = true;
		heldTime = -1;
	}
	return id;
}

/** A new process-wide reference id, for a reference nothing records (ids are unique across both kinds). */
export function takeProcessId(): number {
	return idBases[era]! + takeId();
}

/** The process-wide id of `id`, counted from the start of era `from`. */
export function processId(from: number, id: number): number {
	return idBases[from]! + id;
}

/** The ticks since the process started of `ticks`, counted from the start of era `from`. */
export function processTicks(from: number, ticks: number): number {
	return tickBases[from]! + ticks;
}

/** How far era `to` counts from era `from`: what to subtract from a value of `from` to count it from `to`. */
export function eraShift(from: number, to: number): { readonly ids: number; readonly ticks: number } {
	return { ids: idBases[to]! - idBases[from]!, ticks: tickBases[to]! - tickBases[from]! };
}

/** `value` as an int32 when it fits (V8 may hold a whole number as a box; `| 0` gives its small form), else as it is. */
export function small(value: number): number {
	return value >= -SMALL && value < SMALL ? value | 0 : value;
}
const SMALL = 2 ** 31;

function beginEra(): void {
	eraDue = false;
	heldTime = -1;
	const tickBase = clock();
	idBases.push(idBases[era]! + eraIds);
	tickBases.push(tickBase);
	eraIds = 0;
	timerBase = tickBase - offset;
	era++;
}

/**
 * Tests and benchmarks only: makes eras `span` long, and moves the process-wide counts on by `ids`
 * references and `ticks` (as if the process had run that long) in a new era begun now, which has then
 * given `into` ids and run `into` ticks of its own (to reach its end sooner). @internal
 */
export function skipAhead(span: number, ids = 0, ticks = 0, into = 0): void {
	eraSpan = span;
	eraIds += ids;
	offset += ticks;
	beginEra();
	eraIds += into;
	offset += into;
	timerBase -= into;
}
