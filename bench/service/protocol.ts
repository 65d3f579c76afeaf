import type { Mode } from 'reftrace';

/** How a service variant tracks its references: `mode: null` is the plain counter, the baseline. */
export interface ServiceVariant {
	readonly mode: Mode | null;
	readonly sample: number;
	readonly gcLeaks: boolean;
	readonly meaning: string;
}

/** Every variant of the service benchmark, in the order tables show them. */
export const SERVICE_VARIANTS = {
	counter: { mode: null, sample: 1, gcLeaks: true, meaning: 'the same service with a plain `count++` / `count--` object (the baseline)' },
	off: { mode: 'off', sample: 1, gcLeaks: true, meaning: 'reftrace in `off` mode' },
	list: { mode: 'list', sample: 1, gcLeaks: true, meaning: 'reftrace in `list` mode with GC leak detection (the default)' },
	'list, gcLeaks off': { mode: 'list', sample: 1, gcLeaks: false, meaning: '`list` without GC leak detection: what watching the tokens costs' },
	full: { mode: 'full', sample: 1, gcLeaks: true, meaning: 'reftrace in `full` mode as shipped' },
	'full, 1% sampled': { mode: 'full', sample: 0.01, gcLeaks: true, meaning: '`full` with `sample: 0.01`' },
} as const satisfies Record<string, ServiceVariant>;

export type ServiceVariantName = keyof typeof SERVICE_VARIANTS;

/** What the server sends back when asked for its `report`. */
export interface ServerReport {
	readonly type: 'report';
	/** Requests served since the last reset. */
	readonly requests: number;
	/** User + system CPU of the server process since the last reset. */
	readonly cpuMicroseconds: number;
	/** Old-generation heap used, read when each (unforced) full collection since the reset was observed. */
	readonly fullGcHeaps: readonly number[];
	/** The longest unforced GC pause since the reset, in milliseconds. */
	readonly longestPause: number;
	/** Old-generation heap used after a forced full collection now (null without --expose-gc). */
	readonly heap: number | null;
}

/** What the load generator sends back when it is done. */
export interface LoadReport {
	readonly requests: number;
	readonly errors: number;
	readonly seconds: number;
	/** Latency percentiles in milliseconds. */
	readonly p50: number;
	readonly p99: number;
	readonly max: number;
}
