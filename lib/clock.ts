/*
 * Times are kept as whole ticks of 10 µs: small integers that V8 stores inline, where a fractional
 * millisecond would cost a 16-byte box per entry. They stay exact integers past 2^31 ticks (about six
 * hours of uptime); only then do they take the box.
 */
const TICKS_PER_MS = 100;
// `performance` is a global in every runtime reftrace supports; in Node it is an accessor on the global
// object, and reading it on every event cost a list-mode acquire+release pair about 350 instructions.
const timer = globalThis.performance;

/** Now, in ticks since the process started. */
export function clock(): number {
	return Math.round(timer.now() * TICKS_PER_MS);
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

/** Now as the record stamps its events, in ticks: the time held for the current task, else the timer. */
export function eventClock(): number {
	return heldTime >= 0 ? heldTime : clock();
}

/** Stamps the current task's later events with `ticks`; the caller must call `releaseTime` at the task's end. */
export function holdTime(ticks: number): void {
	heldTime = ticks;
}

/** Events read the timer again. */
export function releaseTime(): void {
	heldTime = -1;
}
