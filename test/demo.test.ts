import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function lineOf(file: string, text: string): string {
	const index = readFileSync(`${root}/${file}`, 'utf8').split('\n').findIndex((line) => line.includes(text));
	if (index < 0) throw new Error(`${text} not in ${file}`);
	return `${file}:${index + 1}:`;
}

test('the demo reports its double release at three of its own sites, its leak when collected, and exits cleanly', () => {
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { cwd: root });
	const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', 'examples/.build/demo/main.js'], {
		cwd: root,
		env: childEnv(),
		encoding: 'utf8',
	});
	expect(result.status).toBe(0);
	expect(result.stdout).toContain('GET /users/missing -> 404\n');
	expect(result.stdout).toContain('demo finished');
	const lines = result.stderr.split('\n');
	const at = (index: number) => lines[index + 1]?.trim() ?? '';
	const culprit = lines.findIndex((line) => line.startsWith('  released here (ref #'));
	const first = lines.findIndex((line) => line.startsWith('  first released (ref #'));
	const acquired = lines.findIndex((line) => line.startsWith('  acquired (ref #'));
	expect(lines[culprit - 1]).toMatch(/^reftrace: double-release: ref #\d+ of Connection#\d+ was released twice$/);
	expect(lines[culprit]).toMatch(new RegExp(`^  released here \\(ref #\\d+ held by handleRequest, pid ${result.pid}, thread 0\\)$`));
	expect(at(culprit)).toContain(lineOf('examples/demo/main.ts', 'bug: runs on the early path too'));
	expect(at(first)).toContain(lineOf('examples/demo/main.ts', 'give the connection back early'));
	expect(at(acquired)).toContain(lineOf('examples/demo/pool.ts', 'return root.acquire(owner)'));
	expect(result.stderr).toMatch(/^reftrace: leak: ref #\d+ of Connection#\d+ \(owner Session\) was garbage-collected while live/m);
	expect(result.stderr).toContain(`at new Session (${lineOf('examples/demo/main.ts', "this.conn = pool.checkout('Session')")}`);
	expect(lines.filter((line) => line.startsWith('SUMMARY:'))).toEqual(['SUMMARY: reftrace: 0 live references and 1 collected while live, to 1 object from 1 site; 2 violations']);
});
