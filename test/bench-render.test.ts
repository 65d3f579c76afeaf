import { expect, test } from 'vitest';
import { ratioOfRounds, type Row } from '../bench/harness.js';
import { renderMarkdown, targets } from '../bench/render.js';

const pair = 'acquire+release pair';
const row = (variant: string, samples: number[]): Row => ({ scenario: pair, variant, nsPerOp: samples[0]!, ratio: null, samples });

test('ratios are medians of per-round ratios, so a slow round moves both sides together', () => {
	expect(ratioOfRounds([10, 40, 12], [5, 20, 6])).toBe(2);
});

test('the generated page marks each target met or missed, with the measured value', () => {
	const rows: Row[] = [
		row('counter', [10, 10, 10]),
		row('off', [50, 50, 50]),
		row('isograph', [40, 40, 40]),
		row('list', [300, 300, 300]),
		row('bare-registry', [250, 250, 250]),
		row('full', [20_000, 20_000, 20_000]),
		row('bare-capture', [10_000, 10_000, 10_000]),
		row('eager', [30_000, 30_000, 30_000]),
		{ scenario: 'memory', variant: 'list', nsPerOp: null, ratio: null, bytesPerRef: 260, samples: [260] },
		{ scenario: 'memory', variant: 'full', nsPerOp: null, ratio: null, bytesPerRef: 250, samples: [250] },
	];
	const checks = targets(rows, 'memory', 'report', 40);
	const page = renderMarkdown(rows, { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', date: '2026-01-01', quick: false }, checks, 'Notes.');
	expect(page).toContain('| acquire+release pair: off / counter | 5.00× | 4.00× | **missed** |');
	expect(page).toContain('| acquire+release pair: off / isograph | 1.25× | 1.00× | **missed** |');
	expect(page).toContain('| acquire+release pair: list / bare-registry | 1.20× | 1.50× | met |');
	expect(page).toContain('| acquire+release pair: full / bare-capture | 2.00× | 2.50× | met |');
	expect(page).toContain('| list: bytes per live reference | 260 B | 250 B | **missed** |');
	expect(page).toContain('| exit report for 10,000 refs from 100 sites, first (cold) build | 40 ms | 1000 ms | met |');
	expect(page).toContain('| exit report, later (warm) builds | n/a | 1000 ms | **missed** |');
	expect(page).toContain('4 target(s) missed in this run; see the notes below.');
	expect(page).toContain('Machine: Test CPU, 2 cores; Node v20.0.0; 2026-01-01.');
});

test('the service targets are same-round ratios to the counter, and a floor is met only when reached', () => {
	const service = 'service';
	const round = (requestsPerSecond: number, cpuPerRequest: number, p99: number) => ({ requestsPerSecond, cpuPerRequest, p50: 1, p99 });
	const serviceRow = (variant: string, rounds: ReturnType<typeof round>[]): Row => ({ scenario: service, variant, nsPerOp: null, ratio: null, samples: rounds.map((r) => r.requestsPerSecond), service: rounds });
	const soak = (variant: string, heaps: number[], longestPause: number): Row => ({
		scenario: 'soak',
		variant,
		nsPerOp: null,
		ratio: null,
		samples: [],
		soak: { seconds: 50, requestsPerSecond: 1000, heapAfterWarmUp: 6e6, heapAtEnd: 6.5e6, fullGcHeaps: heaps, longestPause, slowestRequest: 30 },
	});
	const rows: Row[] = [
		// A slow second round moves both variants together: the ratio stays 0.9.
		serviceRow('counter', [round(1000, 100, 10), round(500, 200, 20), round(1000, 100, 10)]),
		serviceRow('list', [round(900, 105, 11), round(450, 210, 22), round(900, 105, 11)]),
		serviceRow('full', [round(410, 300, 30), round(205, 600, 60), round(410, 300, 30)]),
		soak('list', [6e6, 13e6], 12),
	];
	const page = renderMarkdown(rows, { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', date: '2026-01-01', quick: false }, targets(rows, 'memory', 'report', 40), 'Notes.');
	expect(page).toContain('| service: list req/s / counter | 0.90× | ≥ 0.95× | **missed** |');
	expect(page).toContain('| service: list CPU per request / counter | 1.05× | 1.10× | met |');
	expect(page).toContain('| service: list p99 / counter | 1.10× | 1.20× | met |');
	expect(page).toContain('| service: full req/s / counter | 0.41× | ≥ 0.40× | met |');
	expect(page).toContain('| service: full, 1% sampled req/s / counter | n/a | ≥ 0.90× | **missed** |');
	expect(page).toContain('| soak: list, old generation after full GCs / after warm-up | 2.17× | 2.00× | **missed** |');
	expect(page).toContain('| soak: list, longest GC pause | 12 ms | 20 ms | met |');
	expect(page).toContain('| list | 900 | 0.90× | 105 µs | 1.05× | 1.00 ms | 1.00× | 11.00 ms | 1.10× |');
	expect(page).toContain('| list | 50 | 1000 | 6.0 MB | 6.0 MB, 13.0 MB | 6.5 MB | 2.17× | 12.0 ms | 30.0 ms |');
});

test('a pair scenario is held only to the targets whose two sides it measures', () => {
	const traced = 'acquire+release pair, traced';
	const rows: Row[] = [
		{ scenario: traced, variant: 'counter', nsPerOp: 10, ratio: null, samples: [10] },
		{ scenario: traced, variant: 'full', nsPerOp: 20_000, ratio: null, samples: [20_000] },
		{ scenario: traced, variant: 'full + trace', nsPerOp: 30_000, ratio: null, samples: [30_000] },
	];
	expect(targets(rows, 'memory', 'report', 40).filter((t) => t.what.startsWith(traced)).map((t) => t.what)).toEqual([]);
});
