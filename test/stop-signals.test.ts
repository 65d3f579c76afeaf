import { join } from 'node:path';
import { expect, test } from 'vitest';
import { secondCopy, startWaiting } from './helpers.js';

// Item 1 of issue 8: the preload reports on SIGINT/SIGTERM and the signal still ends the process, whatever
// else listens for it.
const app = 'test/fixtures/signal-app.mjs';
const preload = ['--import', 'reftrace/register'];

/** The lines of a report headed `heading`, up to its SUMMARY line. */
function reportLines(stderr: string, heading: string): string[] {
	const start = stderr.indexOf(heading);
	const end = stderr.indexOf('\n', stderr.indexOf('SUMMARY: reftrace:', start));
	return start < 0 ? [] : stderr.slice(start, end).split('\n');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	test(`with signal-exit's onExit listening too, ${signal} prints the report, runs signal-exit's callback and the process dies of the signal`, async () => {
		const run = startWaiting([...preload, app, 'signal-exit']);
		await run.ready;
		expect(await run.stop(signal)).toEqual({ code: null, signal });
		const lines = reportLines(run.stderr(), `reftrace: leak report at ${signal}:`);
		expect(lines[0]).toBe(`reftrace: leak report at ${signal}: 2 live refs to 1 object from 2 sites`);
		expect(lines.at(-1)).toBe('SUMMARY: reftrace: 2 live references to 1 object from 2 sites; 0 violations');
		expect(run.stderr().endsWith(`signal-exit: ${signal}\n`)).toBe(true);
	});
}

test('with signal-exit loaded before the preload, SIGINT prints the report and the process dies of it', async () => {
	const run = startWaiting(['--import', './test/fixtures/signal-exit-first.mjs', ...preload, app]);
	await run.ready;
	expect(await run.stop('SIGINT')).toEqual({ code: null, signal: 'SIGINT' });
	expect(reportLines(run.stderr(), 'reftrace: leak report at SIGINT:')[0]).toBe('reftrace: leak report at SIGINT: 2 live refs to 1 object from 2 sites');
	expect(run.stderr().endsWith('signal-exit: SIGINT\n')).toBe(true);
});

test('with two copies of reftrace/register loaded, SIGTERM prints both reports and the process dies of it', async () => {
	const copy = join(secondCopy(), 'dist', 'register.js');
	const run = startWaiting([...preload, '--import', copy, app]);
	await run.ready;
	expect(await run.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
	// The copy loaded last listens first; its own record is empty (the app tracks with the package's copy).
	expect(run.stderr().split('\n')[0]).toBe('reftrace: no live references at SIGTERM');
	expect(reportLines(run.stderr(), 'reftrace: leak report:')[0]).toBe('reftrace: leak report: 2 live refs to 1 object from 2 sites');
});

test("an application's own SIGTERM handler still decides: the report at the signal, then the final one at its exit", async () => {
	const run = startWaiting([...preload, app, 'graceful']);
	await run.ready;
	expect(await run.stop('SIGTERM')).toEqual({ code: 0, signal: null });
	const stderr = run.stderr();
	expect(reportLines(stderr, 'reftrace: leak report at SIGTERM:')[0]).toBe('reftrace: leak report at SIGTERM: 2 live refs to 1 object from 2 sites');
	expect(stderr.slice(stderr.indexOf('SUMMARY: reftrace:'))).toBe(
		'SUMMARY: reftrace: 2 live references to 1 object from 2 sites; 0 violations\napp: shut down\nreftrace: no live references\n',
	);
});
