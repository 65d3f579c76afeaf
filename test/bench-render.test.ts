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
