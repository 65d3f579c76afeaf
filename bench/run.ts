import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { measure, type Row, type RunOptions } from './harness.js';
import { renderMarkdown, renderTables, targets } from './render.js';
import { coldMilliseconds, exitReport } from './scenarios/exit-report.js';
import { measureMemory, MEMORY_SCENARIO } from './scenarios/memory.js';
import { move } from './scenarios/move.js';
import { pairOutstanding } from './scenarios/pair-outstanding.js';
import { pair } from './scenarios/pair.js';

// Paths are relative to the package root, where `npm run bench` runs.
const quick = process.argv.includes('--quick');
const options: RunOptions = quick ? { rounds: 3, time: 100 } : { rounds: 7, time: 300 };

const rows: Row[] = [];
// First, while the only live references are its own.
rows.push(...(await measure(exitReport, { rounds: options.rounds, time: options.time })));
rows.push({ scenario: exitReport.name, variant: 'full, first report (cold caches)', nsPerOp: coldMilliseconds * 1e6, ratio: null, samples: [coldMilliseconds * 1e6] });
for (const scenario of [pair, pairOutstanding, move]) {
	process.stderr.write(`measuring ${scenario.name}\n`);
	rows.push(...(await measure(scenario, options)));
}
process.stderr.write(`measuring ${MEMORY_SCENARIO}\n`);
rows.push(...(await measureMemory(quick ? 3 : 5)));

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify(rows, null, '\t')}\n`);
const checks = targets(rows, MEMORY_SCENARIO, exitReport.name, coldMilliseconds);
const machine = {
	cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
	cores: cpus().length,
	node: process.version,
	date: new Date().toISOString().slice(0, 10),
	quick,
};
writeFileSync('docs/benchmarks.md', renderMarkdown(rows, machine, checks, readFileSync('bench/notes.md', 'utf8')));
process.stdout.write(`${renderTables(rows).join('\n')}\nexit report, first (cold) build: ${coldMilliseconds.toFixed(1)} ms\n\n`);
for (const t of checks) {
	const ok = t.value !== null && t.value <= t.limit;
	process.stdout.write(`${ok ? 'met   ' : 'MISSED'} ${t.what}: ${t.value === null ? 'n/a' : t.value.toFixed(2)} (limit ${t.limit})\n`);
}
process.stdout.write('\nwrote bench/results/latest.json and docs/benchmarks.md\n');
