import { Bench } from 'tinybench';

/** Runs `iterations` operations of one variant; may return a promise when it has deferred work to wait for. */
export type Operation = (iterations: number) => void | Promise<void>;

/** One way of doing the scenario's operation: a baseline or one of the library's modes. */
export interface Variant {
	readonly name: string;
	/** Builds the variant's state and returns its operation; called once per scenario. */
	readonly setup: () => Operation;
	/** Switches on what only this variant runs with (a process-wide setting), before each of its runs; `leave` switches it off after. */
	readonly enter?: () => void;
	readonly leave?: () => void;
}

/** One measured thing: a list of variants timed against each other in the same run. */
export interface Scenario {
	readonly name: string;
	/** Operations per call of an Operation's loop body (a pair is one operation). */
	readonly batch: number;
	readonly variants: readonly Variant[];
}

/** One row of bench/results/latest.json. */
export interface Row {
	readonly scenario: string;
	readonly variant: string;
	/** Median nanoseconds per operation (null for the memory scenario). */
	readonly nsPerOp: number | null;
	/** Median over rounds of this variant's time over the `counter` row's time in the same round, when the scenario has one. */
	readonly ratio: number | null;
	readonly bytesPerRef?: number;
	/** The service benchmark: one entry per round. */
	readonly service?: readonly ServiceRound[];
	/** The soak. */
	readonly soak?: SoakResult;
	/** The per-round medians the median was taken from. */
	readonly samples: readonly number[];
}

/** One round of one variant of the service benchmark. */
export interface ServiceRound {
	readonly requestsPerSecond: number;
	/** Server CPU (user + system) per request, in µs. */
	readonly cpuPerRequest: number;
	/** Latency percentiles seen by the load generator, in ms. */
	readonly p50: number;
	readonly p99: number;
}

/** One variant's soak: old-generation bytes after full collections, and the longest GC pause. */
export interface SoakResult {
	readonly seconds: number;
	readonly requestsPerSecond: number;
	/** After a forced full collection once warmed up, and at the end. */
	readonly heapAfterWarmUp: number;
	readonly heapAtEnd: number;
	/** After each full collection V8 made on its own during the soak. */
	readonly fullGcHeaps: readonly number[];
	/** Milliseconds. */
	readonly longestPause: number;
	readonly slowestRequest: number;
}

export interface RunOptions {
	readonly rounds: number;
	/** Milliseconds each variant runs per round. */
	readonly time: number;
}

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Results are consumed here so the optimiser cannot drop the work that produced them. */
export let sink: unknown;
export function consume(value: unknown): void {
	sink = value;
}

const kept: unknown[] = [];
/** Keeps a benchmark's tracked roots and held references reachable for the whole run: dropped, they would be (rightly) reported as leaks. */
export function keep(value: unknown): void {
	kept.push(value);
}

/**
 * The median over rounds of a/b taken within each round. Load on a shared machine comes and goes between
 * rounds; within one round the variants ran back to back, so their ratio moves much less than their times.
 */
export function ratioOfRounds(a: readonly number[], b: readonly number[]): number {
	return median(a.map((x, i) => x / b[i]!));
}

/**
 * Times every variant of a scenario: `rounds` tinybench runs, each with all variants in a rotated order
 * (interleaved, so a slow phase of a shared machine hits them all), each variant's median latency per
 * round, then the median of those rounds.
 */
export async function measure(scenario: Scenario, options: RunOptions): Promise<Row[]> {
	const operations = scenario.variants.map((variant) => ({ name: variant.name, run: variant.setup(), hooks: { beforeAll: variant.enter, afterAll: variant.leave } }));
	const perRound = new Map<string, number[]>(operations.map((o) => [o.name, []]));
	for (let round = 0; round < options.rounds; round++) {
		const bench = new Bench({ time: options.time, warmupTime: options.time / 4, warmupIterations: 5, iterations: 5 });
		const order = operations.map((_, i) => operations[(i + round) % operations.length]!);
		for (const { name, run, hooks } of order) {
			bench.add(
				name,
				async () => {
					// Awaiting lets the library's end-of-tick work (leak registration) run inside the timing.
					await run(scenario.batch);
				},
				{ ...(hooks.beforeAll && { beforeAll: hooks.beforeAll }), ...(hooks.afterAll && { afterAll: hooks.afterAll }) },
			);
		}
		await bench.run();
		for (const task of bench.tasks) {
			const result = task.result as { latency?: { p50?: number } } | undefined;
			const p50 = result?.latency?.p50;
			if (p50 === undefined) throw new Error(`${scenario.name} / ${task.name}: no result (${JSON.stringify(task.result)})`);
			perRound.get(task.name)!.push((p50 * 1e6) / scenario.batch);
		}
	}
	const counter = perRound.get('counter');
	return operations.map(({ name }) => {
		const samples = perRound.get(name)!;
		return { scenario: scenario.name, variant: name, nsPerOp: median(samples), ratio: counter === undefined ? null : ratioOfRounds(samples, counter), samples };
	});
}
