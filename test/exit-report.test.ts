import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv, startWaiting } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = 'test/fixtures/exit-app.mjs';
const leakLine = readFileSync(join(root, app), 'utf8').split('\n').findIndex((line) => line.includes('// @leak')) + 1;

function run(how: string, extra: Record<string, string> = {}, preload = false) {
	const args = [...(preload ? ['--import', 'reftrace/register'] : []), app, how];
	return spawnSync(process.execPath, args, { cwd: root, env: childEnv(extra), encoding: 'utf8' });
}

function expectLeakReport(stderr: string): void {
	const start = stderr.indexOf('reftrace: leak report:');
	const end = stderr.indexOf('\n', stderr.indexOf('SUMMARY: reftrace:', start));
	expect(start).toBeGreaterThanOrEqual(0);
	const report = stderr.slice(start, end < 0 ? undefined : end);
	expect(report.split('\n').slice(0, 3)).toEqual([
		'reftrace: leak report: 2 live refs to 1 object from 2 sites',
		expect.stringMatching(new RegExp(`^  Conn#1 has 1/2 refs at test/fixtures/exit-app\\.mjs:${leakLine}:\\d+ - const session = \\{ conn: pool\\.acquire\\('session'\\) \\}; // @leak$`)),
		expect.stringMatching(/^ {4}owners: session; oldest \d/),
	]);
	expect(report.trimEnd().split('\n').at(-1)).toBe('SUMMARY: reftrace: 2 live references to 1 object from 2 sites; 0 violations');
}

test('a normal end prints the grouped report and keeps the exit status', () => {
	const result = run('normal');
	expect(result.status).toBe(0);
	expectLeakReport(result.stderr);
});

test('process.exit() prints the report', () => {
	const result = run('exit');
	expect(result.status).toBe(0);
	expectLeakReport(result.stderr);
});

test('an uncaught exception prints the report as well as the error, and keeps status 1', () => {
	const result = run('throw');
	expect(result.status).toBe(1);
	expect(result.stderr).toContain('Error: crash in the app');
	expectLeakReport(result.stderr);
});

test('a clean run prints one short line', () => {
	const result = run('clean');
	expect(result.status).toBe(0);
	expect(result.stderr).toBe('reftrace: no live references\n');
});

test('REFTRACE_EXIT_REPORT=0 turns the printed report off', () => {
	const result = run('normal', { REFTRACE_EXIT_REPORT: '0' });
	expect(result.stderr).toBe('');
});

test('REFTRACE_EXIT_CODE=23 fails a leaking run and leaves a clean run alone', () => {
	expect(run('normal', { REFTRACE_EXIT_CODE: '23' }).status).toBe(23);
	expect(run('exit', { REFTRACE_EXIT_CODE: '23' }).status).toBe(23);
	expect(run('clean', { REFTRACE_EXIT_CODE: '23' }).status).toBe(0);
	expect(run('throw', { REFTRACE_EXIT_CODE: '23' }).status).toBe(1);
});

test('REFTRACE_REPORT writes the versioned JSON report, %p becoming the pid, with no temporary left', () => {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-report-'));
	const result = run('normal', { REFTRACE_REPORT: join(dir, 'refs-%p.json') });
	const file = join(dir, `refs-${result.pid}.json`);
	expect(readdirSync(dir)).toEqual([`refs-${result.pid}.json`]);
	const data = JSON.parse(readFileSync(file, 'utf8'));
	expect(data.schema).toBe('reftrace.snapshot/2');
	expect(data.pid).toBe(result.pid);
	expect(data.totals).toEqual({ objects: 1, refs: 2, collected: 0, sites: 2 });
	expect(data.sites[0].site).toMatch(new RegExp(`^test/fixtures/exit-app\\.mjs:${leakLine}:\\d+$`));
	expect(existsSync(`${file}.${result.pid}.tmp`)).toBe(false);
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	test(`with the preload, ${signal} prints the report and the process still dies of the signal`, async () => {
		const run = startWaiting(['--import', 'reftrace/register', app, 'wait']);
		await run.ready;
		expect(await run.stop(signal)).toEqual({ code: null, signal });
		expectLeakReport(run.stderr());
	});
}

test('with the preload, SIGUSR2 dumps the live references and the process carries on', async () => {
	const run = startWaiting(['--import', 'reftrace/register', app, 'wait']);
	await run.ready;
	run.child.kill('SIGUSR2');
	await new Promise<void>((resolve) => {
		const poll = setInterval(() => {
			if (run.stderr().includes('owners: session')) {
				clearInterval(poll);
				resolve();
			}
		}, 20);
	});
	expect(run.stderr()).toMatch(/^reftrace: live references \(SIGUSR2\): 2 live refs to 1 object from 2 sites\n/);
	expect(run.child.exitCode).toBeNull();
	run.child.kill('SIGTERM');
	await run.exited;
});

test('a run that asks nothing of its live references at exit does not read them (millions take seconds); asked for text or an exit code, it does', () => {
	const quiet = (how: string) => spawnSync(process.execPath, ['test/fixtures/quiet-exit-app.mjs', how], { cwd: root, env: childEnv(), encoding: 'utf8' });
	const none = quiet('quiet');
	expect(none.stdout).toBe('2 kept; live lists read at exit: 0\n');
	expect(none.stderr).toBe('');
	expect(none.status).toBe(0);
	const text = quiet('report');
	expect(text.stdout).toMatch(/^2 kept; live lists read at exit: [1-9]\d*\n$/);
	expect(text.stderr).toContain('reftrace: leak report: 2 live refs to 2 objects from 2 sites');
	const code = quiet('code');
	expect(code.stdout).toMatch(/^2 kept; live lists read at exit: [1-9]\d*\n$/);
	expect(code.status).toBe(23);
});
