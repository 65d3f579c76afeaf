import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { configure, type Ref, snapshot, track } from 'reftrace';

/*
 * Reports of millions of live references: what each report adds to the process's peak RSS over the
 * records themselves, how long it takes, and, for the dump, the longest the event loop waited. Each
 * report runs in a fresh process that first takes the references (the baseline is that process's RSS
 * once they are taken and collected), with a worker thread sampling the RSS every 2 ms, since the exit
 * report runs with the main thread busy. `old path` is what every report did before streaming: the whole
 * `snapshot()`, then its JSON in pieces. Run alone: `npm run bench -- --only large-report [refs] [mode]`.
 */

const OBJECTS = 100;
const OWNERS = 7;

type Report = 'records only' | 'exit report, text' | 'exit report, text + JSON' | 'dump, text' | 'dump, text + JSON' | 'old path: snapshot() + JSON';
const REPORTS: readonly Report[] = ['records only', 'exit report, text', 'exit report, text + JSON', 'dump, text', 'dump, text + JSON', 'old path: snapshot() + JSON'];

interface Measured {
	readonly report: Report;
	readonly refs: number;
	readonly mode: string;
	/** RSS with the references taken, after a full collection (MB). */
	readonly baselineMb: number;
	/** Peak RSS while the report was made, over the baseline (MB). */
	readonly addedMb: number;
	readonly seconds: number;
	readonly fileMb: number | null;
	/** The dump: the longest gap between two turns of the event loop while it ran (ms). */
	readonly longestBlockMs: number | null;
	/** The dump: the longest garbage-collection pause while it ran (ms), part of such a gap when it falls in one. */
	readonly longestGcMs: number | null;
	/** The dump: turns of the event loop while it ran, and how many came more than 50 ms after the one before. */
	readonly turns: number | null;
	readonly turnsOver50Ms: number | null;
}

declare const gc: () => void;

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const peak = new Float64Array(workerData);
setInterval(() => { const rss = process.memoryUsage.rss(); if (rss > peak[0]) peak[0] = rss; }, 2);
`;

/** The child: takes `refs` references, then makes one report, and writes what it measured to `out`. */
async function child(report: Report, refs: number, mode: 'list' | 'full', out: string, file: string): Promise<void> {
	configure({ mode, exitReport: report !== 'records only' && report !== 'old path: snapshot() + JSON' });
	const roots = Array.from({ length: OBJECTS }, (_, i) => track({ i }, { name: 'Many' }));
	const held: Ref<object>[] = [];
	for (let i = 0; i < refs; i++) held.push(roots[i % OBJECTS]!.acquire(`holder-${i % OWNERS}`));
	(globalThis as { kept?: unknown }).kept = { roots, held };
	// The leak detector registers the new references on a 10 ms timer: done before the baseline.
	await new Promise((resolve) => setTimeout(resolve, 50));
	const shared = new SharedArrayBuffer(8);
	const peak = new Float64Array(shared);
	const sampler = new Worker(SAMPLER, { eval: true, workerData: shared });
	sampler.unref();
	await new Promise((resolve) => setTimeout(resolve, 100));
	gc();
	// The sampler's own isolate is in the baseline.
	const baseline = process.memoryUsage.rss();
	peak[0] = baseline;
	const start = performance.now();
	const done = (longestBlockMs: number | null, longestGcMs: number | null = null, turns: number | null = null, turnsOver50Ms: number | null = null): void => {
		const measured: Measured = {
			report,
			refs,
			mode,
			baselineMb: baseline / 2 ** 20,
			addedMb: (Math.max(peak[0]!, process.memoryUsage.rss()) - baseline) / 2 ** 20,
			seconds: (performance.now() - start) / 1000,
			fileMb: report.includes('JSON') ? statSync(file).size / 2 ** 20 : null,
			longestBlockMs,
			longestGcMs,
			turns,
			turnsOver50Ms,
		};
		writeFileSync(out, JSON.stringify(measured));
	};
	if (report.startsWith('dump')) {
		const { dump } = (await import(new URL('../../../dist/exit-report.js', import.meta.url).href)) as { dump: () => Promise<void> };
		if (report.includes('JSON')) configure({ dumpPath: file.replace(/\.json$/, '.%n.json') });
		let longestGc = 0;
		const pauses = new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration);
		});
		pauses.observe({ entryTypes: ['gc'] });
		let longest = 0;
		let turns = 0;
		let over = 0;
		let last = performance.now();
		let running = true;
		const turn = (): void => {
			const now = performance.now();
			longest = Math.max(longest, now - last);
			turns++;
			if (now - last > 50) over++;
			last = now;
			if (running) setImmediate(turn);
		};
		setImmediate(turn);
		await dump();
		running = false;
		pauses.disconnect();
		file = file.replace(/\.json$/, '.1.json');
		done(longest, longestGc, turns, over);
		process.exit(0);
	}
	if (report === 'old path: snapshot() + JSON') {
		const { jsonChunks } = (await import(new URL('../../../dist/report/json.js', import.meta.url).href)) as { jsonChunks: (value: unknown) => Iterable<string> };
		const fd = openSync(file, 'w');
		for (const piece of jsonChunks(snapshot())) writeSync(fd, piece);
		closeSync(fd);
		done(null);
		process.exit(0);
	}
	// The exit report runs in reftrace's exit listener, added when the first reference was taken: this one runs after it.
	process.on('exit', () => done(null));
	process.exit(0);
}

/** Runs each report in its own process and returns what each measured. */
export function measureLargeReport(refs: number, mode: 'list' | 'full'): Measured[] {
	const script = fileURLToPath(import.meta.url);
	const results: Measured[] = [];
	for (const report of REPORTS) {
		const dir = mkdtempSync(join(tmpdir(), 'reftrace-large-report-'));
		const out = join(dir, 'measured.json');
		const file = join(dir, 'report.json');
		process.stderr.write(`measuring ${report}, ${refs} refs, ${mode} mode\n`);
		const env = { ...process.env, NO_COLOR: '1', ...(report === 'exit report, text + JSON' ? { REFTRACE_REPORT: file } : {}) };
		const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=16384', script, '--child', report, String(refs), mode, out, file], { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30, encoding: 'utf8' });
		if (run.status !== 0) throw new Error(`${report}: exit ${run.status}\n${run.stderr.slice(-2000)}`);
		results.push(JSON.parse(readFileSync(out, 'utf8')) as Measured);
		rmSync(dir, { recursive: true, force: true });
	}
	return results;
}

/** The figures as a markdown table. */
export function renderLargeReport(results: readonly Measured[]): string {
	const lines = ['| report | refs | mode | records alone (RSS) | peak RSS added | time | JSON file | longest event-loop block (longest GC pause) | turns over 50 ms |', '|---|---|---|---|---|---|---|---|---|'];
	for (const r of results) {
		const file = r.fileMb === null ? '' : `${r.fileMb.toFixed(0)} MB`;
		const block = r.longestBlockMs === null ? '' : `${r.longestBlockMs.toFixed(0)} ms (${r.longestGcMs?.toFixed(0)} ms)`;
		lines.push(`| ${r.report} | ${r.refs.toLocaleString('en')} | ${r.mode} | ${r.baselineMb.toFixed(0)} MB | ${r.addedMb.toFixed(0)} MB | ${r.seconds.toFixed(1)} s | ${file} | ${block} | ${r.turns === null ? '' : `${r.turnsOver50Ms} of ${r.turns}`} |`);
	}
	return lines.join('\n');
}

if (process.argv[2] === '--child') {
	const [, , , report, refs, mode, out, file] = process.argv;
	await child(report as Report, Number(refs), mode as 'list' | 'full', out!, file!);
}
