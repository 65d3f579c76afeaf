import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { measure, type Row, type RunOptions } from './harness.js';
import { type Machine, renderMarkdown, renderTables, targets } from './render.js';
import { coldMilliseconds, exitReport } from './scenarios/exit-report.js';
import { measureMemory, MEMORY_SCENARIO } from './scenarios/memory.js';
import { instrumentedPair } from './scenarios/instrumented-pair.js';
import { move } from './scenarios/move.js';
import { pairOutstanding } from './scenarios/pair-outstanding.js';
import { pair } from './scenarios/pair.js';
import { tracing } from './scenarios/trace.js';
import { nestedPair, weakPair } from './scenarios/counts.js';

// Paths are relative to the package root, where `npm run bench` runs.
// `--quick`: fewer, shorter rounds. `--docs`: only re-render docs/benchmarks.md from the last results.
const quick = process.argv.includes('--quick');
const COLD = 'full, first report (cold caches)';

async function run(): Promise<{ rows: Row[]; machine: Machine }> {
	const options: RunOptions = quick ? { rounds: 3, time: 100 } : { rounds: 7, time: 300 };
	const rows: Row[] = [];
	// First, while the only live references are its own.
	rows.push(...(await measure(exitReport, options)));
	rows.push({ scenario: exitReport.name, variant: COLD, nsPerOp: coldMilliseconds * 1e6, ratio: null, samples: [coldMilliseconds * 1e6] });
	for (const scenario of [pair, nestedPair, weakPair, pairOutstanding, move, tracing, instrumentedPair]) {
		process.stderr.write(`measuring ${scenario.name}\n`);
		rows.push(...(await measure(scenario, options)));
	}
	process.stderr.write(`measuring ${MEMORY_SCENARIO}\n`);
	rows.push(...(await measureMemory(quick ? 3 : 5)));
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
	const ok = t.value !== null && t.value <= t.limit;
	process.stdout.write(`${ok ? 'met   ' : 'MISSED'} ${t.what}: ${t.value === null ? 'n/a' : t.value.toFixed(2)} (limit ${t.limit})\n`);
}
process.stdout.write('\nwrote docs/benchmarks.md\n');
