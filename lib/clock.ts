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
