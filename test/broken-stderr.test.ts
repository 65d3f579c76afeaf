import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { expect, test } from 'vitest';
import { childEnv, packageRoot } from './helpers.js';

// Items 3 and 6 of issue 8: reports reach stderr whole, or not at all when stderr cannot take them; they
// never kill the program.
const app = 'test/fixtures/stream-app.mjs';

test('a report to a closed stderr pipe (EPIPE) is dropped and the program goes on', async () => {
	const child = spawn(process.execPath, [app, 'violation'], { cwd: packageRoot, env: childEnv() });
	let stdout = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	await new Promise((resolve) => child.stderr.once('close', resolve).destroy());
	child.stdin.end('go\n');
	expect(await exited).toBe(0);
	expect(stdout).toBe('survived\n');
});

test('a report to a full disk (ENOSPC) is dropped and the program goes on', () => {
	const full = openSync('/dev/full', 'w');
	try {
		const result = spawnSync(process.execPath, [app, 'violation'], { cwd: packageRoot, env: childEnv(), input: 'go\n', stdio: ['pipe', 'pipe', full], encoding: 'utf8' });
		expect(result.status).toBe(0);
		expect(result.stdout).toBe('survived\n');
	} finally {
		closeSync(full);
	}
});

/**
 * Runs the big-report fixture with stderr into a shell pipe whose reader starts reading only after a
 * second, as a busy `tee` or CI log collector might, and returns what the reader got.
 */
function throughSlowPipe(args: string): string {
	const command = `"${process.execPath}" ${args} 2>&1 >/dev/null | (sleep 1; cat)`;
	const result = spawnSync('sh', ['-c', command], { cwd: packageRoot, env: childEnv(), encoding: 'utf8', maxBuffer: 1 << 24 });
	return result.stdout;
}

/** Checks that a report carrying a 300 KB owner name arrived whole, its SUMMARY line last. */
function expectWhole(received: string): void {
	const lines = received.split('\n');
	expect(lines[0]).toBe('reftrace: leak report: 2 live refs to 1 object from 2 sites');
	expect(lines.find((line) => line.startsWith('    owners: owner-'))).toMatch(/^ {4}owners: owner-x{300000}-end; oldest /);
	expect(lines.slice(-2)).toEqual(['SUMMARY: reftrace: 2 live references to 1 object from 2 sites; 0 violations', '']);
}

test('a 300 KB exit report arrives whole through a slow pipe', () => {
	expectWhole(throughSlowPipe(`${app} big exit`));
});

test('a 300 KB report on SIGTERM arrives whole through a slow pipe before the signal ends the process', () => {
	expectWhole(throughSlowPipe(`--import reftrace/register ${app} big signal`));
});
