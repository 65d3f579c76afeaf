import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { measure, type Row, type RunOptions } from './harness.js';
import { type Machine, renderMarkdown, renderTables, targets } from './render.js';
import { measureCheckLeaks } from './scenarios/check-leaks.js';
import { measureLargeReport, renderLargeReport } from './scenarios/large-report.js';
import { measureLongRun } from './scenarios/long-run.js';
import { coldMilliseconds, exitReport } from './scenarios/exit-report.js';
import { measureMemory, MEMORY_SCENARIO } from './scenarios/memory.js';
import { instrumentedPair } from './scenarios/instrumented-pair.js';
import { measureObjectMemory } from './scenarios/object-memory.js';
import { move } from './scenarios/move.js';
import { pairAcrossTick } from './scenarios/pair-across-tick.js';
import { pairOutstanding } from './scenarios/pair-outstanding.js';
import { pair } from './scenarios/pair.js';
import { tracing } from './scenarios/trace.js';
import { nestedPair, weakPair } from './scenarios/counts.js';
import { measureService, measureSoak } from './scenarios/service.js';
import { met } from './target.js';

// Paths are relative to the package root, where `npm run bench` runs.
// `--quick`: fewer, shorter rounds. `--docs`: only re-render docs/benchmarks.md from the last results.
// `--only micro` / `--only service`: measure only the micro-benchmarks or only the service and soak, and keep
// the other part's rows from the last results.
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? null : process.argv[onlyAt + 1];
if (only !== null && only !== 'micro' && only !== 'service' && only !== 'large-report') throw new Error(`--only takes micro, service or large-report, got ${only ?? 'nothing'}`);
// `--only large-report [refs] [list|full]`: reports of millions of live references, alone (minutes, and gigabytes of memory).
if (only === 'large-report') {
	const [refs = '5000000', mode = 'list'] = process.argv.slice(onlyAt + 2).filter((a) => !a.startsWith('--'));
	process.stdout.write(`${renderLargeReport(measureLargeReport(Number(refs), mode === 'full' ? 'full' : 'list'))}\n`);
	process.exit(0);
}
const COLD = 'full, first report (cold caches)';

/*
 * The timed micro scenarios, each run in a process of its own (`--scenario <index>`: its rows as JSON on
 * stdout), so that no row pays for what an earlier scenario left: the code it had V8 compile, the heap, and
 * (before eras, bench/notes.md) the billions of reference ids it took. A process past 2^31 ids and ticks
 * is measured on purpose, apart (`--long-run`).
 */
const TIMED = [pair, nestedPair, weakPair, pairOutstanding, pairAcrossTick, move, tracing, instrumentedPair];
const options: RunOptions = quick ? { rounds: 3, time: 100 } : { rounds: 7, time: 300 };
const scenarioAt = process.argv.indexOf('--scenario');
if (scenarioAt >= 0) {
	const scenario = TIMED[Number(process.argv[scenarioAt + 1])];
	if (scenario === undefined) throw new Error(`--scenario takes 0-${TIMED.length - 1}, got ${process.argv[scenarioAt + 1] ?? 'nothing'}`);
	process.stdout.write(JSON.stringify(await measure(scenario, options)));
	process.exit(0);
}

// `--long-run`: the rows of a process past 2^31 reference ids and ticks, as JSON on stdout (see long-run.ts).
if (process.argv.includes('--long-run')) {
	process.stdout.write(JSON.stringify(await measureLongRun(options, quick ? 2 : 3)));
	process.exit(0);
}

/** Measures TIMED[index] (or, with `--long-run`, the long-run rows) in a fresh process. */
function measureApart(index: number | '--long-run'): Row[] {
	const which = index === '--long-run' ? [index] : ['--scenario', String(index)];
	const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...which, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
	if (child.status !== 0) throw new Error(`measuring ${index === '--long-run' ? 'the long run' : TIMED[index]!.name} failed (status ${child.status ?? child.signal})`);
	return JSON.parse(child.stdout) as Row[];
}

const isService = (r: Row): boolean => r.service !== undefined || r.soak !== undefined;

async function runMicro(): Promise<Row[]> {
	const rows: Row[] = [];
	// First, while the only live references are its own.
	rows.push(...(await measure(exitReport, options)));
	rows.push({ scenario: exitReport.name, variant: COLD, nsPerOp: coldMilliseconds * 1e6, ratio: null, samples: [coldMilliseconds * 1e6] });
	// Memory before anything else takes references (see TIMED).
	process.stderr.write(`measuring ${MEMORY_SCENARIO}\n`);
	rows.push(...(await measureMemory(quick ? 3 : 5)));
	process.stderr.write('measuring memory per tracked object\n');
	rows.push(...(await measureObjectMemory(quick ? 2 : 3)));
	for (const [index, scenario] of TIMED.entries()) {
		process.stderr.write(`measuring ${scenario.name}\n`);
		rows.push(...measureApart(index));
	}
	process.stderr.write('measuring a process past 2^31 reference ids and ticks\n');
	rows.push(...measureApart('--long-run'));
	process.stderr.write('measuring checkLeaks\n');
	rows.push(...(await measureCheckLeaks(quick ? 3 : 5, quick ? 100 : 300)));
	return rows;
}

/** The service in separate processes (5 rounds of 3 s per variant), then the soak (60 s per variant). */
async function runService(): Promise<Row[]> {
	process.stderr.write('measuring the service\n');
	const rows = await measureService(quick ? 2 : 5, quick ? 1 : 1.5, quick ? 1.5 : 3);
	process.stderr.write('measuring the soak\n');
	rows.push(...(await measureSoak(['counter', 'list', 'full, 1% sampled'], quick ? 3 : 10, quick ? 12 : 50)));
	return rows;
}

async function run(): Promise<{ rows: Row[]; machine: Machine }> {
	const kept = only === null ? [] : (JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as Row[]).filter((r) => (only === 'service' ? !isService(r) : isService(r)));
	const rows = [...(only === 'service' ? [] : await runMicro()), ...(only === 'micro' ? [] : await runService()), ...kept];
	const machine = { cpu: cpus()[0]?.model.trim() ?? 'unknown CPU', cores: cpus().length, node: process.version, date: new Date().toISOString().slice(0, 10), quick };
	mkdirSync('bench/results', { recursive: true });
	writeFileSync('bench/results/latest.json', `${JSON.stringify(rows, null, '\t')}\n`);
	writeFileSync('bench/results/machine.json', `${JSON.stringify(machine, null, '\t')}\n`);
	return { rows, machine };
}

const { rows, machine } = process.argv.includes('--docs')
	? { rows: JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as Row[], machine: JSON.parse(readFileSync('bench/results/machine.json', 'utf8')) as Machine }
	: await run();
const cold = rows.find((r) => r.variant === COLD)?.nsPerOp;
const checks = targets(rows, MEMORY_SCENARIO, exitReport.name, cold == null ? Number.NaN : cold / 1e6);
writeFileSync('docs/benchmarks.md', renderMarkdown(rows, machine, checks, readFileSync('bench/notes.md', 'utf8')));
process.stdout.write(`${renderTables(rows).join('\n')}\n`);
for (const t of checks) {
	const ok = met(t);
	process.stdout.write(`${ok ? 'met   ' : 'MISSED'} ${t.what}: ${t.value === null ? 'n/a' : t.value.toFixed(2)} (limit ${t.limit})\n`);
}
process.stdout.write('\nwrote docs/benchmarks.md\n');
