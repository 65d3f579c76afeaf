import { median, type Row, type ServiceRound } from './harness.js';
import { SERVICE_VARIANTS } from './service/protocol.js';
import type { Target } from './target.js';

const BASELINE = 'counter';

/** Plain-language meaning of each service variant, for the generated docs. */
export const SERVICE_MEANINGS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SERVICE_VARIANTS).map(([name, v]) => [`service ${name}`, v.meaning]));

/** Median over rounds of `variant`'s figure over `counter`'s in the same round. */
export function serviceRatio(rows: readonly Row[], variant: string, figure: keyof ServiceRound): number | null {
	const own = rows.find((r) => r.service !== undefined && r.variant === variant)?.service;
	const base = rows.find((r) => r.service !== undefined && r.variant === BASELINE)?.service;
	if (own === undefined || base === undefined || own.length !== base.length) return null;
	return median(own.map((round, i) => round[figure] / base[i]![figure]));
}

/** How much the old generation grew over the soak: the most it held after any full collection, over its size once warmed up. */
export function heapGrowth(rows: readonly Row[], variant: string): number | null {
	const soak = rows.find((r) => r.soak !== undefined && r.variant === variant)?.soak;
	return soak === undefined ? null : Math.max(soak.heapAtEnd, ...soak.fullGcHeaps) / soak.heapAfterWarmUp;
}

/** The service targets, all same-round ratios to the plain counter except the soak's. */
export function serviceTargets(rows: readonly Row[]): Target[] {
	if (!rows.some((r) => r.service !== undefined || r.soak !== undefined)) return [];
	const longestPause = rows.find((r) => r.soak !== undefined && r.variant === 'list')?.soak?.longestPause ?? null;
	return [
		{ what: 'service: list req/s / counter', value: serviceRatio(rows, 'list', 'requestsPerSecond'), limit: 0.95, unit: '×', atLeast: true },
		{ what: 'service: list CPU per request / counter', value: serviceRatio(rows, 'list', 'cpuPerRequest'), limit: 1.1, unit: '×' },
		{ what: 'service: list p99 / counter', value: serviceRatio(rows, 'list', 'p99'), limit: 1.2, unit: '×' },
		{ what: 'service: full, 1% sampled req/s / counter', value: serviceRatio(rows, 'full, 1% sampled', 'requestsPerSecond'), limit: 0.9, unit: '×', atLeast: true },
		{ what: 'service: full req/s / counter', value: serviceRatio(rows, 'full', 'requestsPerSecond'), limit: 0.4, unit: '×', atLeast: true },
		{ what: 'soak: list, old generation after full GCs / after warm-up', value: heapGrowth(rows, 'list'), limit: 2, unit: '×' },
		{ what: 'soak: list, longest GC pause', value: longestPause, limit: 20, unit: ' ms' },
	];
}

const ratio = (value: number | null): string => (value === null ? '' : `${value.toFixed(2)}×`);
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** The service table (medians over rounds, ratios within rounds) and the soak table. */
export function serviceTables(rows: readonly Row[]): string[] {
	const lines: string[] = [];
	const service = rows.filter((r) => r.service !== undefined);
	if (service.length > 0) {
		lines.push(`### ${service[0]!.scenario}`, '', `Medians over ${service[0]!.service!.length} rounds; × is the median of same-round ratios to \`counter\`.`, '');
		lines.push('| variant | req/s | × | server CPU per request | × | p50 | × | p99 | × |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
		for (const r of service) {
			const rounds = r.service!;
			const m = (figure: keyof ServiceRound): number => median(rounds.map((x) => x[figure]));
			lines.push(
				`| ${r.variant} | ${Math.round(m('requestsPerSecond'))} | ${ratio(serviceRatio(rows, r.variant, 'requestsPerSecond'))} | ${m('cpuPerRequest').toFixed(0)} µs | ${ratio(serviceRatio(rows, r.variant, 'cpuPerRequest'))} | ${m('p50').toFixed(2)} ms | ${ratio(serviceRatio(rows, r.variant, 'p50'))} | ${m('p99').toFixed(2)} ms | ${ratio(serviceRatio(rows, r.variant, 'p99'))} |`,
			);
		}
		lines.push('');
	}
	const soak = rows.filter((r) => r.soak !== undefined);
	if (soak.length > 0) {
		lines.push(`### ${soak[0]!.scenario}`, '', 'Old-generation heap (V8\'s heap minus the young generation) after a forced full collection once warmed up, after every full collection V8 made during the soak, and after a forced one at the end.', '');
		lines.push('| variant | seconds | req/s | after warm-up | after full GCs (first … last) | at end | growth | longest GC pause | slowest request |', '|---|---:|---:|---:|---|---:|---:|---:|---:|');
		for (const r of soak) {
			const s = r.soak!;
			const heaps = s.fullGcHeaps.length === 0 ? 'none' : s.fullGcHeaps.length <= 6 ? s.fullGcHeaps.map(mb).join(', ') : `${s.fullGcHeaps.slice(0, 3).map(mb).join(', ')} … ${s.fullGcHeaps.slice(-3).map(mb).join(', ')} (${s.fullGcHeaps.length})`;
			lines.push(`| ${r.variant} | ${Math.round(s.seconds)} | ${Math.round(s.requestsPerSecond)} | ${mb(s.heapAfterWarmUp)} | ${heaps} | ${mb(s.heapAtEnd)} | ${ratio(heapGrowth(rows, r.variant))} | ${s.longestPause.toFixed(1)} ms | ${s.slowestRequest.toFixed(1)} ms |`);
		}
		lines.push('');
	}
	return lines;
}
