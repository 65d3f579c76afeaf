import { ratioOfRounds, type Row } from './harness.js';
import { serviceTables, serviceTargets, SERVICE_MEANINGS } from './render-service.js';
import { met, type Target } from './target.js';
import { CHECK_LEAKS_SCENARIO, MANY_ELSEWHERE, NONE_ELSEWHERE } from './scenarios/check-leaks.js';
import { LONG_RUN } from './scenarios/long-run.js';
import { OBJECT_MEMORY_SCENARIO } from './scenarios/object-memory.js';
import { MEANINGS } from './variants.js';

/** What the run was measured on. */
export interface Machine {
	readonly cpu: string;
	readonly cores: number;
	readonly node: string;
	readonly date: string;
	readonly quick: boolean;
}

function find(rows: readonly Row[], scenario: string, variant: string): Row | undefined {
	return rows.find((r) => r.scenario === scenario && r.variant === variant);
}

function ratioOf(rows: readonly Row[], scenario: string, a: string, b: string): number | null {
	const x = find(rows, scenario, a);
	const y = find(rows, scenario, b);
	return x === undefined || y === undefined ? null : ratioOfRounds(x.samples, y.samples);
}

/** The issue's cost targets, evaluated on one run. */
export function targets(rows: readonly Row[], memoryScenario: string, reportScenario: string, coldMs: number): Target[] {
	const result: Target[] = [];
	// Each pair scenario is held to the targets whose two sides it measures (the traced one has none of them).
	const PAIR_TARGETS = [
		['off', 'counter', 4],
		['off', 'isograph', 1],
		['list', 'bare-registry', 1.5],
		['full', 'bare-capture', 2.5],
		['full', 'eager', 1],
	] as const;
	for (const scenario of new Set(rows.filter((r) => r.scenario.startsWith('acquire+release pair')).map((r) => r.scenario))) {
		for (const [variant, baseline, limit] of PAIR_TARGETS) {
			if (find(rows, scenario, baseline) === undefined || find(rows, scenario, variant) === undefined) continue;
			result.push({ what: `${scenario}: ${variant} / ${baseline}`, value: ratioOf(rows, scenario, variant, baseline), limit, unit: '×' });
		}
	}
	result.push(
		{ what: 'list: bytes per live reference', value: find(rows, memoryScenario, 'list')?.bytesPerRef ?? null, limit: 250, unit: ' B' },
		{ what: 'full: bytes per live reference', value: find(rows, memoryScenario, 'full')?.bytesPerRef ?? null, limit: 400, unit: ' B' },
		{ what: 'exit report for 10,000 refs from 100 sites, first (cold) build', value: Number.isNaN(coldMs) ? null : coldMs, limit: 1000, unit: ' ms' },
		{ what: 'exit report, later (warm) builds', value: milliseconds(find(rows, reportScenario, 'full')?.nsPerOp), limit: 1000, unit: ' ms' },
	);
	for (const long of ['', LONG_RUN]) {
		const liveRef = find(rows, `${memoryScenario}${long}`, 'list');
		if (long !== '' && liveRef !== undefined) result.push({ what: `list: bytes per live reference${long}`, value: liveRef.bytesPerRef ?? null, limit: 250, unit: ' B' });
		for (const mode of ['list', 'full']) {
			const after = find(rows, `${OBJECT_MEMORY_SCENARIO}${long}`, `${mode}, after use`);
			if (after !== undefined) result.push({ what: `${mode}: bytes per tracked object after use${long}`, value: after.bytesPerRef!, limit: 1024, unit: ' B' });
		}
	}
	if (find(rows, CHECK_LEAKS_SCENARIO, MANY_ELSEWHERE) !== undefined) {
		result.push({ what: `${CHECK_LEAKS_SCENARIO}: ${MANY_ELSEWHERE} / ${NONE_ELSEWHERE}`, value: ratioOf(rows, CHECK_LEAKS_SCENARIO, MANY_ELSEWHERE, NONE_ELSEWHERE), limit: 1.5, unit: '×' });
	}
	result.push(...serviceTargets(rows));
	return result;
}

function milliseconds(ns: number | null | undefined): number | null {
	return ns == null ? null : ns / 1e6;
}

function format(value: number, unit: string): string {
	if (unit === '×') return `${value.toFixed(2)}×`;
	if (unit === ' ms') return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
	return `${Math.round(value)}${unit}`;
}

function nanoseconds(ns: number): string {
	if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`;
	if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`;
	return `${ns < 100 ? ns.toFixed(1) : Math.round(ns)} ns`;
}

/** One table per scenario, rows in the order measured. */
export function renderTables(rows: readonly Row[]): string[] {
	const lines: string[] = [];
	for (const scenario of new Set(rows.filter((r) => r.service === undefined && r.soak === undefined).map((r) => r.scenario))) {
		const own = rows.filter((r) => r.scenario === scenario);
		const memory = own.some((r) => r.bytesPerRef !== undefined);
		lines.push(`### ${scenario}`, '', memory ? '| variant | bytes per live ref |' : '| variant | per op | × counter |', memory ? '|---|---:|' : '|---|---:|---:|');
		for (const r of own) {
			lines.push(memory ? `| ${r.variant} | ${r.bytesPerRef} |` : `| ${r.variant} | ${nanoseconds(r.nsPerOp!)} | ${r.ratio === null ? '' : r.ratio.toFixed(2)} |`);
		}
		lines.push('');
	}
	lines.push(...serviceTables(rows));
	return lines;
}

/** The whole of docs/benchmarks.md, generated from one run. */
export function renderMarkdown(rows: readonly Row[], machine: Machine, checks: readonly Target[], notes: string): string {
	const missed = checks.filter((t) => !met(t));
	return [
		'# Benchmarks',
		'',
		'Generated by `npm run bench` from `bench/results/latest.json`; do not edit by hand (the prose comes from',
		'`bench/notes.md`). Times are medians over interleaved rounds; every ratio is the median over rounds of',
		'the two variants\' times within the same round, so runs on different machines compare by their ratios.',
		'',
		`Machine: ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; ${machine.date}${machine.quick ? '; `--quick` run (fewer, shorter rounds)' : ''}.`,
		'',
		'## Variants',
		'',
		...Object.entries(MEANINGS).map(([name, meaning]) => `- \`${name}\`: ${meaning}.`),
		...Object.entries(SERVICE_MEANINGS).map(([name, meaning]) => `- \`${name}\`: ${meaning}.`),
		'',
		'## Targets',
		'',
		'| target | measured | limit | |',
		'|---|---:|---:|---|',
		...checks.map((t) => `| ${t.what} | ${t.value === null ? 'n/a' : format(t.value, t.unit)} | ${t.atLeast === true ? '≥ ' : ''}${format(t.limit, t.unit)} | ${met(t) ? 'met' : '**missed**'} |`),
		'',
		missed.length === 0 ? 'Every target was met in this run.' : `${missed.length} target(s) missed in this run; see the notes below.`,
		'',
		'## Results',
		'',
		...renderTables(rows),
		notes.trim(),
		'',
	].join('\n');
}
