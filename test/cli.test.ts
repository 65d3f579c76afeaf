import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import type { MergedReport, Snapshot } from '../lib/index.js';
import { childEnv, packageRoot } from './helpers.js';

// The `reftrace` command as a user gets it: packed, installed into a scratch project, run through npx.
const scratch = mkdtempSync(join(tmpdir(), 'reftrace-cli-'));

function npm(args: string[], cwd: string): string {
	return execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
}

function reftrace(...args: string[]) {
	return spawnSync('npx', ['--no-install', 'reftrace', ...args], { cwd: scratch, env: childEnv({ npm_config_loglevel: 'error' }), encoding: 'utf8' });
}

function node(args: string[], env: Record<string, string> = {}) {
	return spawnSync(process.execPath, args, { cwd: scratch, env: childEnv(env), encoding: 'utf8' });
}

beforeAll(() => {
	const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], packageRoot)) as [{ filename: string; files: { path: string }[] }];
	expect(packed.files.map((f) => f.path)).toContain('dist/bin.js');
	writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
	npm(['install', '--no-audit', '--no-fund', join(scratch, packed.filename)], scratch);
	writeFileSync(
		join(scratch, 'leaky.mjs'),
		[
			"import { track } from 'reftrace';",
			"const root = track({}, { name: 'Conn' });",
			'function keep() {',
			"\treturn root.acquire('cache');",
			'}',
			'globalThis.kept = process.argv[2] === "clean" ? [] : [keep()];',
			'const ref = root.acquire("handler");',
			'ref.release();',
			'if (process.argv[2] !== "clean") ref.release();',
			'root.release();',
			'',
		].join('\n'),
	);
	writeFileSync(
		join(scratch, 'server.mjs'),
		[
			"import { track } from 'reftrace';",
			"const pool = track({}, { name: 'Pool' });",
			'const held = [];',
			'function handle() {',
			"\theld.push(pool.acquire('request'));",
			'}',
			"process.on('SIGUSR2', () => { handle(); console.log('handled'); });",
			"console.log('ready');",
			'setTimeout(() => {}, 60_000);',
			'',
		].join('\n'),
	);
}, 180_000);

test('show prints a saved report as the exit report printed it', () => {
	const run = node(['--import', 'reftrace/register', 'leaky.mjs'], { REFTRACE_REPORT: 'leaky.json' });
	const shown = reftrace('show', 'leaky.json');
	expect(shown.status).toBe(0);
	expect(shown.stdout).toMatch(/^reftrace: leak report: 1 live ref to 1 object from 1 site\n {2}Conn#1 has 1\/1 refs at leaky\.mjs:4:14 - /);
	expect(run.stderr.endsWith(shown.stdout)).toBe(true);
	expect(reftrace('show', 'leaky.json').stdout).not.toMatch(/\u001b\[/);
	const coloured = spawnSync('npx', ['--no-install', 'reftrace', 'show', 'leaky.json'], { cwd: scratch, env: { ...childEnv(), NO_COLOR: '', FORCE_COLOR: '1' }, encoding: 'utf8' });
	expect(coloured.stdout).toContain('\u001b[1m');
	// A report written by a reftrace of schema version 1 (no nested counts, no revocations) still reads.
	const report = JSON.parse(readFileSync(join(scratch, 'leaky.json'), 'utf8')) as { schema: string; objects: Record<string, unknown>[] };
	report.schema = 'reftrace.snapshot/1';
	for (const object of report.objects) {
		delete object['holds'];
		delete object['revoked'];
		for (const ref of object['refs'] as Record<string, unknown>[]) delete ref['heldBy'];
	}
	writeFileSync(join(scratch, 'old.json'), JSON.stringify(report));
	const old = reftrace('show', 'old.json');
	expect([old.status, old.stdout]).toEqual([0, shown.stdout]);
});

test('check fails a dirty report with 23 or the code asked for, and passes it once suppressions cover it', () => {
	node(['--import', 'reftrace/register', 'leaky.mjs'], { REFTRACE_REPORT: 'dirty.json' });
	node(['--import', 'reftrace/register', 'leaky.mjs', 'clean'], { REFTRACE_REPORT: 'clean.json' });
	const dirty = reftrace('check', 'dirty.json');
	expect(dirty.status).toBe(23);
	expect(dirty.stdout).toBe('SUMMARY: reftrace: 1 live reference to 1 object from 1 site; 1 violation\n');
	expect(reftrace('check', 'dirty.json', '--exit-code', '7').status).toBe(7);
	const clean = reftrace('check', 'clean.json');
	expect([clean.status, clean.stdout]).toEqual([0, 'SUMMARY: reftrace: 0 live references to 0 objects from 0 sites; 0 violations\n']);
	writeFileSync(join(scratch, 'known.supp'), '# both bugs are known\nleak:keep\ndouble-release:leaky.mjs\nuse-after-release:nothing\n');
	const suppressed = reftrace('check', 'dirty.json', '--suppressions', 'known.supp');
	expect(suppressed.status).toBe(0);
	expect(suppressed.stdout).toBe(
		[
			'SUMMARY: reftrace: 0 live references to 0 objects from 0 sites; 0 violations',
			'  suppressed: 1 leak, 1 double-release',
			'    leak:keep (known.supp:2) used 1 time',
			'    double-release:leaky.mjs (known.supp:3) used 1 time',
			'  warning: suppression rule use-after-release:nothing (known.supp:4) matched nothing',
			'',
		].join('\n'),
	);
	const verdict = JSON.parse(reftrace('check', 'dirty.json', '--json').stdout) as { status: number; violations: object };
	expect(verdict).toMatchObject({ schema: 'reftrace.check/1', status: 23, violations: { 'double-release': 1 } });
	writeFileSync(join(scratch, 'bad.supp'), 'leak:keep\nleak keep\n');
	const bad = reftrace('check', 'dirty.json', '--suppressions', 'bad.supp');
	expect([bad.status, bad.stderr]).toEqual([2, 'reftrace check: Suppression rule at bad.supp:2 is not `kind:pattern`: "leak keep"\n']);
});

test('check takes rules of the count-semantics kinds, as the runtime does', () => {
	node(['--import', 'reftrace/register', 'leaky.mjs', 'clean'], { REFTRACE_REPORT: 'clean.json' });
	const kinds = ['use-after-revoke', 'acquire-after-revoke', 'exclusive-not-unique', 'acquire-during-exclusive'];
	writeFileSync(join(scratch, 'count-kinds.supp'), kinds.map((kind) => `${kind}:legacy/\n`).join(''));
	const checked = reftrace('check', 'clean.json', '--suppressions', 'count-kinds.supp');
	expect([checked.status, checked.stderr]).toEqual([0, '']);
	expect(checked.stdout.split('\n').filter((line) => line.includes('matched nothing'))).toEqual(kinds.map((kind, i) => `  warning: suppression rule ${kind}:legacy/ (count-kinds.supp:${i + 1}) matched nothing`));
});

test('two SIGUSR2 dumps of a running server are written by REFTRACE_DUMP and diffed by site', async () => {
	const child = spawn(process.execPath, ['--import', 'reftrace/register', 'server.mjs'], { cwd: scratch, env: childEnv({ REFTRACE_DUMP: 'dump-%p-%n.json' }) });
	const lines: string[] = [];
	const next = () => new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
	lines.push(await next());
	child.kill('SIGUSR2');
	lines.push(await next());
	child.kill('SIGUSR2');
	lines.push(await next());
	child.kill('SIGKILL');
	expect(lines.map((line) => line.trim())).toEqual(['ready', 'handled', 'handled']);
	const [first, second] = [1, 2].map((n) => `dump-${child.pid}-${n}.json`) as [string, string];
	expect((JSON.parse(readFileSync(join(scratch, first), 'utf8')) as Snapshot).totals.refs).toBe(1);
	const diff = reftrace('diff', first, second);
	expect(diff.status).toBe(0);
	expect(diff.stdout).toMatch(new RegExp(`^reftrace diff: 1 ref live in ${second} that were not live in ${first}, from 1 site\n {2}Pool#1 has 1/2 refs at server\\.mjs:5:17 - `));
	const data = JSON.parse(reftrace('diff', first, second, '--json').stdout) as Snapshot;
	expect(data.objects.flatMap((o) => o.refs.map((r) => [r.object, r.owner, r.site]))).toEqual([['Pool#1', 'request', 'server.mjs:5:17']]);
	node(['--import', 'reftrace/register', 'leaky.mjs'], { REFTRACE_REPORT: 'other.json' });
	const mixed = reftrace('diff', first, 'other.json');
	expect(mixed.status).toBe(2);
	expect(mixed.stderr).toMatch(/come from different processes: diff compares two reports of one running program; merge combines several\n$/);
});

test('merge groups the reports of many processes by site and says how many saw each', () => {
	for (const name of ['a', 'b']) node(['--import', 'reftrace/register', 'leaky.mjs'], { REFTRACE_REPORT: `shard-${name}.json` });
	node(['--import', 'reftrace/register', 'leaky.mjs', 'clean'], { REFTRACE_REPORT: 'shard-c.json' });
	const merged = JSON.parse(reftrace('merge', 'shard-a.json', 'shard-b.json', 'shard-c.json', '--json').stdout) as MergedReport;
	expect(merged.schema).toBe('reftrace.merge/1');
	expect(merged.sites.map((s) => [s.site, s.refs, s.processes])).toEqual([['leaky.mjs:4:14', 2, 2]]);
	expect(merged.violations).toEqual({ 'double-release': 2 });
	expect(merged.signatures.map((s) => [s.kind, s.count, s.processes])).toEqual([['double-release', 2, 2]]);
	const text = reftrace('merge', 'shard-a.json', 'shard-b.json', 'shard-c.json');
	expect(text.stdout).toContain('reftrace merge: 2 references from 1 site in 3 reports\n  leaky.mjs:4:14 - ');
	expect(text.stdout).toContain('    2 refs in 2 of 3 reports; owners cache ×2\n');
});

test('html turns a trace into one self-contained page', () => {
	node(['--import', 'reftrace/register', 'leaky.mjs'], { REFTRACE_TRACE: 'trace.json' });
	const page = reftrace('html', 'trace.json');
	expect(page.status).toBe(0);
	expect(page.stdout).toMatch(/^<!doctype html>\n/);
	expect(page.stdout).toContain('<title>reftrace lifelines: trace.json</title>');
	expect(page.stdout.match(/<line class="life /g)).toHaveLength(3);
	expect(page.stdout).not.toMatch(/<script|src=|href=/);
});

test('bad input gets a clear message and status 2; every command has --help', () => {
	writeFileSync(join(scratch, 'future.json'), JSON.stringify({ schema: 'reftrace.snapshot/9' }));
	writeFileSync(join(scratch, 'broken.json'), '{ "schema": ');
	const cases: [string[], string][] = [
		[['show', 'missing.json'], 'reftrace show: cannot read reftrace report missing.json: no such file\n'],
		[['show', 'package.json'], 'reftrace show: package.json is not a reftrace report: it has no "schema": "reftrace.snapshot/2" field (write one with REFTRACE_REPORT=path)\n'],
		[['check', 'future.json'], 'reftrace check: future.json is a report of an unknown schema version (reftrace.snapshot/9); this version of reftrace reads reftrace.snapshot/1 and reftrace.snapshot/2\n'],
		[['merge', 'broken.json'], expect.stringMatching(/^reftrace merge: broken\.json is not a reftrace report: it is not JSON \(/) as unknown as string],
		[['diff', 'leaky.json'], 'reftrace diff: diff takes 2 files, got 1; see reftrace diff --help\n'],
		[['show', 'leaky.json', '--colour'], 'reftrace show: unknown option --colour for show; see reftrace show --help\n'],
		[['html', 'leaky.json'], 'reftrace html: leaky.json is not a reftrace trace: it has no "traceEvents" list written by reftrace (write one with REFTRACE_TRACE=path)\n'],
		[['frob'], expect.stringMatching(/^reftrace: unknown command "frob"\n\nUsage: reftrace <command>/) as unknown as string],
	];
	for (const [args, message] of cases) {
		const result = reftrace(...args);
		expect([args, result.status, result.stderr, result.stdout]).toEqual([args, 2, message, '']);
	}
	for (const command of ['show', 'diff', 'merge', 'check', 'html']) {
		const help = reftrace(command, '--help');
		expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(new RegExp(`^reftrace ${command} <`))]);
	}
	expect(reftrace('--help').stdout).toMatch(/^Usage: reftrace <command>/);
	const bare = reftrace();
	expect([bare.status, bare.stdout, bare.stderr]).toEqual([2, '', expect.stringMatching(/^Usage: reftrace <command>/)]);
});
