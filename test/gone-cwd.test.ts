import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

// A process whose working directory was deleted: reports show absolute paths, and nothing throws.
const fixture = fileURLToPath(new URL('./fixtures/gone-cwd.mjs', import.meta.url));
const lines = readFileSync(fixture, 'utf8').split('\n');

/** `/abs/path/gone-cwd.mjs:line:column` of the call on the line marked `// @marker`, `call` naming the called method. */
function at(marker: string, call: string): string {
	const index = lines.findIndex((line) => line.includes(`// @${marker}`));
	return `${fixture}:${index + 1}:${lines[index]!.indexOf(call) + 1}`;
}

function run(how: string, extra: Record<string, string> = {}) {
	return spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', fixture, how], { env: childEnv(extra), encoding: 'utf8' });
}

test('in a deleted working directory, a double release is reported with absolute paths and release returns', () => {
	const result = run('misuse', { REFTRACE_EXIT_REPORT: '0' });
	expect([result.status, result.stdout]).toEqual([0, 'release returned\n']);
	const report = result.stderr.split('\n');
	expect(report[0]).toBe('reftrace: double-release: ref #2 of Conn#1 was released twice');
	expect(report[2]).toBe(`    ${at('second-release', 'release')} - ref.release(); // @second-release`);
});

test('in a deleted working directory, a reference collected while live is reported with absolute paths and the process goes on', () => {
	const result = run('collected', { REFTRACE_EXIT_REPORT: '0' });
	expect([result.status, result.stdout]).toEqual([0, 'still running\n']);
	const report = result.stderr.split('\n');
	expect(report[0]).toMatch(/^reftrace: leak: ref #2 of Conn#1 \(owner dropped\) was garbage-collected while live, /);
	expect(report[2]).toBe(`    ${at('dropped', 'acquire')} - (() => void pool.acquire('dropped'))(); // @dropped`);
});

test('in a deleted working directory, the exit report is printed with absolute paths and the exit status stays 0', () => {
	const result = run('exit');
	expect(result.status).toBe(0);
	expect(result.stderr.split('\n').slice(0, 2)).toEqual([
		'reftrace: leak report: 1 live ref to 1 object from 1 site',
		`  Conn#1 has 1/1 refs at ${at('tracked', 'track')} - const pool = track(new Conn(), { owner: 'pool' }); // @tracked`,
	]);
});
